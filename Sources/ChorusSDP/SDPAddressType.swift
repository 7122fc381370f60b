/// The address type of an `o=` or `c=` line (the network type is always `IN`).
public enum SDPAddressType: String, Equatable, Sendable {
    /// `IP4`: a dotted-quad IPv4 address.
    case ip4 = "IP4"
    /// `IP6`: an IPv6 address.
    case ip6 = "IP6"

    /// The type an IP literal has by its shape: anything with a colon is IPv6.
    public init(inferredFrom address: String) {
        self = address.contains(":") ? .ip6 : .ip4
    }

    /// Parses `IP4` or `IP6`, ignoring case because some devices send lower case.
    init?(token: String) {
        switch token.uppercased() {
        case "IP4": self = .ip4
        case "IP6": self = .ip6
        default: return nil
        }
    }
}
