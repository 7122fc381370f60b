/// An `a=rtcp:<port> [IN <addrtype> <address>]` attribute (RFC 3605).
public struct SDPRTCPAttribute: Equatable, Sendable {
    /// The port the sender receives RTCP on.
    public var port: Int

    /// The address, when it differs from the stream's connection address.
    public var address: String?

    /// Creates the attribute.
    public init(port: Int, address: String? = nil) {
        self.port = port
        self.address = address
    }

    /// Parses the attribute value, e.g. `"53020 IN IP4 126.16.64.4"`.
    public init?(attributeValue: String) {
        let tokens = attributeValue.split(separator: " ")
        guard let first = tokens.first, let port = DecimalParser.int(first), port <= 65_535 else { return nil }
        self.port = port
        self.address = tokens.count == 4 ? String(tokens[3]) : nil
    }

    /// The attribute value.
    public var attributeValue: String {
        guard let address = self.address else { return String(self.port) }
        return "\(self.port) IN \(SDPAddressType(inferredFrom: address).rawValue) \(address)"
    }
}
