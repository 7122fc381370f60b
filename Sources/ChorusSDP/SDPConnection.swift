/// A `c=` line: `c=IN IP4 192.0.2.10`.
///
/// A multicast TTL or address count (`/127/3`) is dropped while parsing: Chorus only does unicast.
public struct SDPConnection: Equatable, Sendable {
    /// Whether `address` is IPv4 or IPv6.
    public var addressType: SDPAddressType

    /// The address, usually an IP literal (a host name is kept as sent).
    public var address: String

    /// Creates a connection with an explicit address type.
    public init(addressType: SDPAddressType, address: String) {
        self.addressType = addressType
        self.address = address
    }

    /// Creates a connection whose address type follows from the shape of `address`.
    public init(address: String) {
        self.init(addressType: SDPAddressType(inferredFrom: address), address: address)
    }

    /// Whether this is the unspecified address (`0.0.0.0` or `::`), which old phones use to put a call on hold.
    public var isUnspecifiedAddress: Bool {
        Self.isUnspecified(self.address)
    }

    /// The value after `c=`.
    var fieldValue: String {
        "IN \(self.addressType.rawValue) \(self.address)"
    }

    static func isUnspecified(_ address: String) -> Bool {
        if address == "0.0.0.0" { return true }
        // Any spelling of the IPv6 zero address: only colons and zeros, with at least one colon.
        guard address.contains(":") else { return false }
        return address.allSatisfy { $0 == ":" || $0 == "0" }
    }
}
