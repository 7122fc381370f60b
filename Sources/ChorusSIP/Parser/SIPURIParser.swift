// URI parsing (RFC 3261 §19.1, §25.1): sip/sips URIs split into parts, other schemes kept opaque.

enum SIPURIParser {
    static func failure(_ detail: String) -> SIPParseError { SIPParseError(reason: detail) }

    /// Parses a whole URI; `bytes` holds the URI and nothing else.
    static func parse(_ b: SIPBytes) throws(SIPParseError) -> SIPURI {
        let n = b.count
        guard n > 0 else { throw failure("empty URI") }
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        guard Byte.isAlpha(b[0]) else { throw failure("invalid URI scheme") }
        var i = 1
        while i < n && b[i] != Byte.colon {
            let c = b[i]
            guard Byte.isAlnum(c) || c == 0x2B || c == 0x2D || c == Byte.dot else { throw failure("invalid URI scheme") }
            i += 1
        }
        guard i < n else { throw failure("missing URI scheme") }
        let rest = (i + 1)..<n
        guard !rest.isEmpty else { throw failure("empty URI after scheme") }
        guard b.all(rest, Byte.isURIChar) else { throw failure("invalid character in URI") }

        let scheme: String
        if b.equalsLower(0..<i, "sip") {
            scheme = "sip"
        } else if b.equalsLower(0..<i, "sips") {
            scheme = "sips"
        } else {
            var lowered = [UInt8](repeating: 0, count: i)
            for k in 0..<i { lowered[k] = Byte.lower(b[k]) }
            return SIPURI(scheme: String(decoding: lowered, as: UTF8.self), opaque: b.string(rest))
        }

        // [ userinfo "@" ]: user may contain ';' '?' '/' ... but not an unescaped '@'.
        var p = rest.lowerBound
        var user: String?
        var password: String?
        if let at = b.firstIndex(of: Byte.at, in: rest) {
            let userinfo = p..<at
            if let colon = b.firstIndex(of: Byte.colon, in: userinfo) {
                user = b.string(p..<colon)
                password = b.string((colon + 1)..<at)
            } else {
                user = b.string(userinfo)
            }
            guard user?.isEmpty == false else { throw failure("empty user part in URI") }
            p = at + 1
        }

        // host
        guard p < n else { throw failure("missing host in URI") }
        let hostStart = p
        if b[p] == Byte.leftBracket {
            guard let close = b.firstIndex(of: Byte.rightBracket, in: p..<n) else {
                throw failure("unterminated IPv6 reference in URI")
            }
            let inner = (p + 1)..<close
            guard !inner.isEmpty, b.all(inner, { Byte.isHex($0) || $0 == Byte.colon || $0 == Byte.dot }) else {
                throw failure("invalid IPv6 reference in URI")
            }
            p = close + 1
        } else {
            while p < n && Byte.isHostChar(b[p]) { p += 1 }
            guard p > hostStart else { throw failure("missing host in URI") }
        }
        let host = b.string(hostStart..<p)

        // [ ":" port ]
        var port: Int?
        if p < n && b[p] == Byte.colon {
            let portStart = p + 1
            p = portStart
            while p < n && Byte.isDigit(b[p]) { p += 1 }
            guard let value = b.decimal(portStart..<p, max: 65535) else { throw failure("invalid port in URI") }
            port = value
        }
        guard p == n || b[p] == Byte.semicolon || b[p] == Byte.question else {
            throw failure("invalid character after host in URI")
        }

        // uri-parameters = *( ";" pname [ "=" pvalue ] )
        var parameters: [SIPParameters.Parameter] = []
        while p < n && b[p] == Byte.semicolon {
            let nameStart = p + 1
            p = nameStart
            while p < n && b[p] != Byte.semicolon && b[p] != Byte.question && b[p] != Byte.equals { p += 1 }
            guard p > nameStart else { throw failure("empty URI parameter name") }
            let name = b.string(nameStart..<p)
            var value: String?
            if p < n && b[p] == Byte.equals {
                let valueStart = p + 1
                p = valueStart
                while p < n && b[p] != Byte.semicolon && b[p] != Byte.question { p += 1 }
                guard p > valueStart else { throw failure("empty URI parameter value") }
                value = b.string(valueStart..<p)
            }
            parameters.append(.init(name: name, value: value))
        }

        // headers = "?" header *( "&" header ), header = hname [ "=" hvalue ]
        var headers: [SIPParameters.Parameter] = []
        if p < n && b[p] == Byte.question {
            p += 1
            while true {
                let start = p
                while p < n && b[p] != Byte.ampersand { p += 1 }
                let item = start..<p
                guard !item.isEmpty else { throw failure("empty URI header") }
                if let eq = b.firstIndex(of: Byte.equals, in: item) {
                    guard eq > start else { throw failure("empty URI header name") }
                    headers.append(.init(name: b.string(start..<eq), value: b.string((eq + 1)..<p)))
                } else {
                    headers.append(.init(name: b.string(item), value: nil))
                }
                if p == n { break }
                p += 1  // '&'
            }
        }

        return SIPURI(
            scheme: scheme, user: user, password: password, host: host, port: port,
            parameters: SIPParameters(parameters), headers: headers)
    }
}

extension SIPURI {
    /// Parses a URI (`sip:`, `sips:` split into parts; any other scheme kept as ``opaque``).
    public init(parsing text: some StringProtocol) throws(SIPParseError) {
        do {
            self = try withSIPBytes(text) { bytes throws(SIPParseError) in try SIPURIParser.parse(bytes) }
        } catch {
            throw error.prefixed("Malformed URI")
        }
    }

    /// The user part with `%XX` escapes decoded (invalid escapes are kept as they are).
    public var decodedUser: String? {
        guard let user else { return nil }
        return Self.percentDecoded(user)
    }

    static func percentDecoded(_ text: String) -> String {
        let utf8 = Array(text.utf8)
        guard utf8.contains(Byte.percent) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            if utf8[i] == Byte.percent, i + 2 < utf8.count, Byte.isHex(utf8[i + 1]), Byte.isHex(utf8[i + 2]) {
                out.append(hexValue(utf8[i + 1]) << 4 | hexValue(utf8[i + 2]))
                i += 3
            } else {
                out.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8 {
        Byte.isDigit(b) ? b - 0x30 : (b | 0x20) - 0x61 + 10
    }
}
