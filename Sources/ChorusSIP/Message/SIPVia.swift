/// One Via header value (RFC 3261 §20.42, RFC 3581).
public struct SIPVia: Hashable, Sendable, CustomStringConvertible {
    /// The protocol name and version, normally `SIP/2.0`.
    public var protocolName: String = "SIP/2.0"
    /// Upper-cased transport: `UDP`, `TCP`, `TLS`, `SCTP`, `WS`, ...
    public var transport: String
    /// sent-by host, IPv6 references with brackets.
    public var host: String
    public var port: Int?
    public var parameters: SIPParameters

    public init(transport: String, host: String, port: Int? = nil, parameters: SIPParameters = SIPParameters()) {
        self.transport = transport.uppercased()
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    /// The RFC 3261 magic cookie that marks a branch as globally unique.
    public static let magicCookie = "z9hG4bK"

    public var branch: String? { parameters.value("branch") }
    public var received: String? { parameters.value("received") }
    /// `rport` as a number when filled in by a server.
    public var rport: Int? { parameters.value("rport").flatMap { Int($0) } }
    /// Whether the client asked for symmetric response routing (`;rport`, RFC 3581).
    public var wantsRport: Bool { parameters.contains("rport") }

    public var description: String {
        var out = "\(protocolName)/\(transport) \(host)"
        if let port { out += ":\(port)" }
        return out + parameters.serialized
    }
}
