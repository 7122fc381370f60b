/// Where Chorus receives a call's media.
public struct LocalTransport: Equatable, Sendable {
    /// The IP literal (IPv4 or IPv6) written in `c=` and `o=`.
    public var address: String
    /// The RTP port written in `m=`.
    public var rtpPort: Int
    /// The RTCP port, used when the peer does not multiplex RTCP.
    public var rtcpPort: Int

    /// Creates a transport; the RTCP port defaults to the RTP port plus one.
    public init(address: String, rtpPort: Int, rtcpPort: Int? = nil) {
        self.address = address
        self.rtpPort = rtpPort
        self.rtcpPort = rtcpPort ?? rtpPort + 1
    }
}

/// The `o=` identity of the descriptions Chorus sends in one dialog.
public struct SessionIdentity: Equatable, Sendable {
    /// The `o=` user name.
    public var username: String
    /// The session id, constant for the dialog.
    public var sessionID: UInt64
    /// The version: the caller bumps it for every new description it sends in the dialog.
    public var version: UInt64

    /// Creates an identity.
    public init(username: String = "chorus", sessionID: UInt64, version: UInt64) {
        self.username = username
        self.sessionID = sessionID
        self.version = version
    }
}
