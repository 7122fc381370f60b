/// An `o=` line: `o=chorus 3890 1 IN IP4 192.0.2.10`.
public struct SDPOrigin: Equatable, Sendable {
    /// The user name; `-` when the sender has none.
    public var username: String

    /// The session id, constant for the life of a dialog.
    public var sessionID: UInt64

    /// The session version, bumped by the sender for every new description in a dialog.
    public var sessionVersion: UInt64

    /// Whether `address` is IPv4 or IPv6.
    public var addressType: SDPAddressType

    /// The address of the machine that created the session.
    public var address: String

    /// Creates an origin; the address type follows from the shape of `address` unless given.
    public init(
        username: String,
        sessionID: UInt64,
        sessionVersion: UInt64,
        addressType: SDPAddressType? = nil,
        address: String
    ) {
        self.username = username.isEmpty ? "-" : username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.addressType = addressType ?? SDPAddressType(inferredFrom: address)
        self.address = address
    }

    /// The value after `o=`.
    var fieldValue: String {
        "\(self.username) \(self.sessionID) \(self.sessionVersion) IN \(self.addressType.rawValue) \(self.address)"
    }
}
