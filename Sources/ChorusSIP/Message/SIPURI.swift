/// A URI as carried in SIP: `sip:`, `sips:`, `tel:` or any other scheme (RFC 3261 §19.1, RFC 3966).
///
/// For `sip`/`sips` the parts are split out; for other schemes everything after the colon is kept in
/// ``opaque``. User and password are kept in their escaped wire form; ``decodedUser`` unescapes.
public struct SIPURI: Hashable, Sendable, CustomStringConvertible {
    /// Lower-cased scheme: `sip`, `sips`, `tel`, ...
    public var scheme: String
    public var user: String?
    public var password: String?
    /// Host name, IPv4 address, or IPv6 reference *with* its brackets (`[::1]`), as on the wire.
    public var host: String
    public var port: Int?
    public var parameters: SIPParameters
    /// URI headers (`?subject=x&priority=y`), escaped as on the wire.
    public var headers: [SIPParameters.Parameter]
    /// For schemes other than sip/sips: the text after `scheme:`.
    public var opaque: String?

    public init(
        scheme: String = "sip", user: String? = nil, password: String? = nil, host: String,
        port: Int? = nil, parameters: SIPParameters = SIPParameters(), headers: [SIPParameters.Parameter] = []
    ) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
        self.opaque = nil
    }

    /// A URI of a scheme Chorus does not interpret (e.g. `tel:+1-201-555-0123`, `urn:service:sos`).
    public init(scheme: String, opaque: String) {
        self.scheme = scheme
        self.user = nil
        self.password = nil
        self.host = ""
        self.port = nil
        self.parameters = SIPParameters()
        self.headers = []
        self.opaque = opaque
    }

    public var isSIP: Bool { scheme == "sip" || scheme == "sips" }

    /// Host without IPv6 brackets, suitable for address resolution.
    public var hostWithoutBrackets: String {
        if host.hasPrefix("["), host.hasSuffix("]") { return String(host.dropFirst().dropLast()) }
        return host
    }

    /// The `transport` URI parameter, lower-cased, if present.
    public var transportParameter: String? { parameters.value("transport")?.lowercased() }

    public var description: String {
        if let opaque { return "\(scheme):\(opaque)" }
        var out = scheme + ":"
        if let user {
            out += user
            if let password { out += ":" + password }
            out += "@"
        }
        out += host
        if let port { out += ":\(port)" }
        out += parameters.serialized
        if !headers.isEmpty {
            out += "?"
            out += headers.map { header in header.value.map { "\(header.name)=\($0)" } ?? header.name }.joined(separator: "&")
        }
        return out
    }
}
