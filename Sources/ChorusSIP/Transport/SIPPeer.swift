import NIOCore

/// The SIP transport protocols (RFC 3261 §18). TLS arrives with the hardening issue.
public enum SIPTransportKind: String, Sendable, Hashable, CaseIterable {
    case udp = "UDP"
    case tcp = "TCP"
    case tls = "TLS"

    /// Reliable transports frame a byte stream and need no retransmissions (RFC 3261 §17.1.1.2).
    public var isReliable: Bool { self != .udp }
    /// The value of the `transport` URI parameter.
    public var uriParameter: String { rawValue.lowercased() }
    /// Default port when a URI or Via gives none (RFC 3261 §19.1.2).
    public var defaultPort: Int { self == .tls ? 5061 : 5060 }

    /// Parses a Via transport or `transport=` URI parameter, case-insensitively.
    public init?(token: String) {
        switch token.uppercased() {
        case "UDP": self = .udp
        case "TCP": self = .tcp
        case "TLS": self = .tls
        default: return nil
        }
    }
}

/// A socket Chorus can write SIP bytes to: a UDP listener (any destination) or one stream connection.
public protocol SIPChannelHandle: AnyObject, Sendable {
    var kind: SIPTransportKind { get }
    /// The local address the socket is bound to (may be a wildcard for listeners).
    var localAddress: SocketAddress? { get }
    /// Whether writes can still succeed (a closed TCP connection cannot be written to).
    var isActive: Bool { get }
    /// Writes and flushes one message. For a stream connection, `remote` is ignored.
    func send(_ bytes: ByteBuffer, to remote: SocketAddress)
}

/// Where a message came from, or where one goes: transport, remote address, and (when known) the
/// socket to use, so responses leave by the socket their request came in on (RFC 3261 §18.2.2,
/// RFC 3581) and TCP answers reuse the connection.
public struct SIPPeer: Sendable, CustomStringConvertible {
    public var kind: SIPTransportKind
    public var remote: SocketAddress
    public var channel: (any SIPChannelHandle)?

    public init(kind: SIPTransportKind, remote: SocketAddress, channel: (any SIPChannelHandle)? = nil) {
        self.kind = kind
        self.remote = remote
        self.channel = channel
    }

    /// `udp:192.0.2.1:5060`
    public var description: String {
        "\(kind.uriParameter):\(remote.sipHostPort)"
    }
}

extension SocketAddress {
    /// The IP as text, IPv6 without brackets.
    public var ipString: String { ipAddress ?? "?" }

    /// `host:port`, IPv6 hosts in brackets, as SIP writes them.
    public var sipHostPort: String {
        let ip = ipString
        let host = ip.contains(":") ? "[\(ip)]" : ip
        return "\(host):\(port ?? 0)"
    }

    /// The host as SIP writes it in a URI or Via: IPv6 in brackets.
    public var sipHost: String {
        let ip = ipString
        return ip.contains(":") ? "[\(ip)]" : ip
    }

    /// Whether this is 0.0.0.0 or ::.
    public var isWildcard: Bool {
        ipString == "0.0.0.0" || ipString == "::"
    }
}

/// How the endpoint reaches the network: implemented by ``SIPTransportManager`` over SwiftNIO, and by
/// test doubles that record what is sent.
public protocol SIPTransport: AnyObject, Sendable {
    /// Sends one message to `peer`: on `peer.channel` when it is set and active, otherwise on a listener
    /// of the right kind and family, opening a new connection for stream transports if needed.
    func send(_ bytes: ByteBuffer, to peer: SIPPeer)
    /// The host and port to advertise in Via and Contact for messages leaving toward `remote` over `kind`.
    func advertisedAddress(kind: SIPTransportKind, toward remote: SocketAddress) -> (host: String, port: Int)
}
