import NIOCore

/// One `sip.listen` entry: `transport://host[:port]`, e.g. `udp://0.0.0.0:5060`,
/// `tcp://[::1]:5070`, `udp://sip.example.com` (port 5060), `tls://0.0.0.0` (port 5061).
public struct ListenAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    public enum Transport: String, Sendable, Hashable, CaseIterable {
        case udp, tcp, tls

        /// The port used when the URL has none (RFC 3261 §19.1.2): 5061 for TLS, else 5060.
        public var defaultPort: Int { self == .tls ? 5061 : 5060 }
    }

    public var transport: Transport
    /// An IPv4 address, an IPv6 address without brackets (`::1`), or a host name.
    public var host: String
    /// 0...65535; 0 asks the system for any free port.
    public var port: Int

    public init(transport: Transport, host: String, port: Int) {
        self.transport = transport
        self.host = host
        self.port = port
    }

    /// Parses `transport://host[:port]`. The error message says what is wrong with the text.
    public init(parsing text: String) throws(ConfigurationError) {
        do throws(ValueProblem) {
            self = try Self.parse(text)
        } catch {
            throw ConfigurationError(message: error.message)
        }
    }

    /// `udp://0.0.0.0:5060`, `tcp://[::1]:5060`: the form ``init(parsing:)`` reads.
    public var description: String {
        "\(transport.rawValue)://\(HostSyntax.bracketed(host)):\(port)"
    }

    /// True for `0.0.0.0` and `::`: the socket accepts on every local address, so Via/Contact
    /// need `sip.public_host` or the address a request arrived on.
    public var isWildcard: Bool {
        host == "0.0.0.0" || host == "::"
    }

    static func parse(_ text: String) throws(ValueProblem) -> ListenAddress {
        let example = "expected transport://host[:port], e.g. udp://0.0.0.0:5060"
        guard !text.isEmpty else {
            throw ValueProblem("empty listen address; \(example)")
        }
        guard !text.contains(where: { $0.isWhitespace }) else {
            throw ValueProblem("\"\(text)\" contains white space; \(example)")
        }
        guard let schemeEnd = text.range(of: "://") else {
            throw ValueProblem("\"\(text)\" has no transport; \(example)")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        let rest = text[schemeEnd.upperBound...]
        guard !scheme.isEmpty else {
            throw ValueProblem("\"\(text)\" has no transport; \(example)")
        }
        guard let transport = Transport(rawValue: scheme) else {
            throw ValueProblem("unknown transport \"\(scheme)\" in \"\(text)\" (expected udp, tcp or tls)")
        }
        if let extra = rest.firstIndex(where: { "/?#@;".contains($0) }) {
            throw ValueProblem(
                "unexpected \"\(rest[extra...])\" in \"\(text)\"; \(example) with no path, user or parameters")
        }

        let host: Substring
        let portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw ValueProblem("\"\(text)\" has \"[\" without \"]\"; write IPv6 as udp://[::1]:5060")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.isEmpty {
                portText = nil
            } else if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else {
                throw ValueProblem("unexpected \"\(after)\" after \"]\" in \"\(text)\"; \(example)")
            }
            guard HostSyntax.isIPv6(host) else {
                throw ValueProblem("\"\(host)\" in \"\(text)\" is not an IPv6 address (brackets are only for IPv6)")
            }
        } else {
            let colons = rest.filter { $0 == ":" }.count
            if colons > 1 {
                throw ValueProblem("write the IPv6 address in \"\(text)\" in brackets, e.g. udp://[::1]:5060")
            }
            if let colon = rest.firstIndex(of: ":") {
                host = rest[..<colon]
                portText = rest[rest.index(after: colon)...]
            } else {
                host = rest
                portText = nil
            }
            guard !host.isEmpty else {
                throw ValueProblem("\"\(text)\" has no host; \(example)")
            }
            if let problem = HostSyntax.problem(withNameOrIPv4: host) {
                throw ValueProblem("\(problem) in \"\(text)\"")
            }
        }

        var port = transport.defaultPort
        if let portText {
            guard !portText.isEmpty else {
                throw ValueProblem("\"\(text)\" has \":\" but no port; \(example)")
            }
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw ValueProblem("port \"\(portText)\" in \"\(text)\" is not a number")
            }
            guard let value = Int(portText), value <= 65535 else {
                throw ValueProblem("port \(portText) in \"\(text)\" is out of range (0 to 65535)")
            }
            port = value
        }
        return ListenAddress(transport: transport, host: String(host), port: port)
    }
}

/// Host name and IP literal checks shared by `sip.listen` and `sip.public_host`.
enum HostSyntax {
    static func isIPv6(_ text: Substring) -> Bool {
        text.contains(":") && (try? SocketAddress(ipAddress: String(text), port: 0)) != nil
    }

    /// Nil when `text` is a valid IPv4 address or DNS host name, else what is wrong with it.
    static func problem(withNameOrIPv4 text: Substring) -> String? {
        if text.allSatisfy({ $0 == "." || ($0.isASCII && $0.isNumber) }) {
            if (try? SocketAddress(ipAddress: String(text), port: 0)) != nil {
                return nil
            }
            return "\"\(text)\" is not a valid IPv4 address"
        }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        let valid = text.utf8.count <= 253 && labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
        return valid ? nil : "\"\(text)\" is not a valid host name or IP address"
    }

    /// `::1` → `[::1]`; other hosts unchanged.
    static func bracketed(_ host: String) -> String {
        host.contains(":") ? "[\(host)]" : host
    }
}
