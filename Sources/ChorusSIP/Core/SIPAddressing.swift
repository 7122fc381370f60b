import NIOCore

extension SIPVia {
    /// sent-by host without IPv6 brackets.
    public var hostWithoutBrackets: String {
        if host.hasPrefix("["), host.hasSuffix("]") { return String(host.dropFirst().dropLast()) }
        return host
    }
}

extension SIPURI {
    /// The transport a request to this URI uses (RFC 3263 §4.1 without DNS: `transport` param,
    /// else TLS for sips, else UDP).
    public var impliedTransport: SIPTransportKind {
        if let parameter = transportParameter, let kind = SIPTransportKind(token: parameter) { return kind }
        return scheme == "sips" ? .tls : .udp
    }

    /// Resolves the URI's host and port (or the transport's default port) to a socket address.
    /// IP literals need no lookup; names go through the system resolver (RFC 3263 A/AAAA step only).
    public func resolveSocketAddress() throws -> SocketAddress {
        let port = self.port ?? impliedTransport.defaultPort
        if let literal = try? SocketAddress(ipAddress: hostWithoutBrackets, port: port) { return literal }
        return try SocketAddress.makeAddressResolvingHost(hostWithoutBrackets, port: port)
    }
}
