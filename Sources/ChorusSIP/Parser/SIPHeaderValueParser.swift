// Parsers for the structured header values Chorus reads: name-addr / addr-spec with header parameters
// (RFC 3261 §20.10, §25.1), Via lists (§20.42, RFC 3581), CSeq (§20.16), generic parameters and
// quoted strings. Each works on the bytes of one (unfolded, trimmed or untrimmed) value.

enum SIPHeaderValueParser {
    static func failure(_ detail: String) -> SIPParseError { SIPParseError(reason: detail) }

    // MARK: quoted-string

    /// Reads a quoted-string starting at the `"` at `start`; returns its unescaped content and the index
    /// after the closing quote.
    static func quotedString(_ b: SIPBytes, at start: Int) throws(SIPParseError) -> (String, Int) {
        var i = start + 1
        let n = b.count
        let contentStart = i
        var escaped: [UInt8]?
        while i < n {
            let c = b[i]
            if c == Byte.quote {
                let text = escaped.map { String(decoding: $0, as: UTF8.self) } ?? b.string(contentStart..<i)
                return (text, i + 1)
            }
            if c == Byte.backslash {
                guard i + 1 < n else { break }
                if escaped == nil { escaped = Array(b.sub(contentStart..<i)) }
                escaped!.append(b[i + 1])
                i += 2
                continue
            }
            escaped?.append(c)
            i += 1
        }
        throw failure("unterminated quoted string")
    }

    /// Index after the closing quote of the quoted-string at `start`, keeping escapes (for raw values).
    static func skipQuotedString(_ b: SIPBytes, at start: Int) throws(SIPParseError) -> Int {
        var i = start + 1
        while i < b.count {
            if b[i] == Byte.backslash {
                i += 2
                continue
            }
            if b[i] == Byte.quote { return i + 1 }
            i += 1
        }
        throw failure("unterminated quoted string")
    }

    // MARK: generic-param list

    /// Reads `*( SEMI generic-param )` from `p`, stopping at the end, or at a top-level comma when
    /// `stopAtComma`. Values keep their wire form (quoted values keep their quotes).
    static func parameters(_ b: SIPBytes, _ p: inout Int, stopAtComma: Bool) throws(SIPParseError) -> SIPParameters {
        var items: [SIPParameters.Parameter] = []
        let n = b.count
        while true {
            p = b.skipWS(from: p, to: n)
            if p == n || (stopAtComma && b[p] == Byte.comma) { break }
            guard b[p] == Byte.semicolon else { throw failure("unexpected character before parameter") }
            p = b.skipWS(from: p + 1, to: n)
            let nameStart = p
            while p < n && Byte.isToken(b[p]) { p += 1 }
            guard p > nameStart else { throw failure("malformed parameter") }
            let name = b.string(nameStart..<p)
            p = b.skipWS(from: p, to: n)
            var value: String?
            if p < n && b[p] == Byte.equals {
                p = b.skipWS(from: p + 1, to: n)
                let valueStart = p
                if p < n && b[p] == Byte.quote {
                    p = try skipQuotedString(b, at: p)
                } else {
                    while p < n {
                        let c = b[p]
                        if Byte.isWS(c) || c == Byte.semicolon || c == Byte.comma || c == Byte.quote
                            || c == Byte.less || c == Byte.greater
                        { break }
                        p += 1
                    }
                }
                guard p > valueStart else { throw failure("empty parameter value") }
                value = b.string(valueStart..<p)
            }
            items.append(.init(name: name, value: value))
        }
        return SIPParameters(items)
    }

    // MARK: name-addr / addr-spec

    /// Parses a whole From/To/Contact-like value: `"Name" <uri>;params`, `Name <uri>`, `uri;params` or `*`.
    /// `*` is accepted only with `allowWildcard` (Contact in REGISTER), never in From/To.
    static func nameAddress(_ b: SIPBytes, allowWildcard: Bool = true) throws(SIPParseError) -> SIPNameAddress {
        let n = b.count
        var p = b.skipWS(from: 0, to: n)
        guard p < n else { throw failure("empty address") }

        if b[p] == Byte.star, b.skipWS(from: p + 1, to: n) == n {
            guard allowWildcard else { throw failure("wildcard not allowed here") }
            var wildcard = SIPNameAddress(uri: SIPURI(scheme: "*", opaque: ""))
            wildcard.isWildcard = true
            return wildcard
        }

        var displayName: String?
        var angleStart: Int?
        if b[p] == Byte.quote {
            let (name, after) = try quotedString(b, at: p)
            displayName = name
            p = b.skipWS(from: after, to: n)
            guard p < n && b[p] == Byte.less else { throw failure("expected < after display name") }
            angleStart = p
        } else {
            // *(token LWS) then "<", or an addr-spec.
            var i = p
            while i < n && (Byte.isToken(b[i]) || Byte.isWS(b[i]) || b[i] >= 0x80) { i += 1 }
            if i < n && b[i] == Byte.less {
                displayName = collapsedWhitespace(b, b.trimmedWS(p..<i))
                angleStart = i
            }
        }

        let uri: SIPURI
        if let lt = angleStart {
            guard let gt = b.firstIndex(of: Byte.greater, in: (lt + 1)..<n) else {
                throw failure("unmatched < in address")
            }
            uri = try SIPURIParser.parse(b.sub(b.trimmedWS((lt + 1)..<gt)))
            p = gt + 1
        } else {
            // addr-spec: the URI ends at the first ';' (what follows are header parameters) or whitespace.
            let start = p
            while p < n && b[p] != Byte.semicolon && !Byte.isWS(b[p]) { p += 1 }
            uri = try SIPURIParser.parse(b.sub(start..<p))
        }
        let params = try parameters(b, &p, stopAtComma: false)
        guard p == n else { throw failure("unexpected characters after address") }
        if displayName?.isEmpty == true { displayName = nil }
        return SIPNameAddress(displayName: displayName, uri: uri, parameters: params)
    }

    /// The bytes in `range` with every run of SP/HTAB replaced by one SP.
    static func collapsedWhitespace(_ b: SIPBytes, _ range: Range<Int>) -> String {
        var hasRun = false
        var i = range.lowerBound
        while i < range.upperBound {
            if Byte.isWS(b[i]), b[i] != Byte.space || (i + 1 < range.upperBound && Byte.isWS(b[i + 1])) {
                hasRun = true
                break
            }
            i += 1
        }
        guard hasRun else { return b.string(range) }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        for k in range {
            if Byte.isWS(b[k]) {
                if out.last != Byte.space { out.append(Byte.space) }
            } else {
                out.append(b[k])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Via

    /// Parses a Via header value holding one or more comma-separated via-parms.
    static func viaList(_ b: SIPBytes, into list: inout [SIPVia]) throws(SIPParseError) {
        let n = b.count
        var p = 0
        var count = 0
        while true {
            p = b.skipWS(from: p, to: n)
            if p == n { break }
            if b[p] == Byte.comma {
                p += 1
                continue
            }
            list.append(try via(b, &p))
            count += 1
            p = b.skipWS(from: p, to: n)
            if p < n {
                guard b[p] == Byte.comma else { throw failure("unexpected character in Via") }
                p += 1
            }
        }
        guard count > 0 else { throw failure("empty Via") }
    }

    /// One via-parm at `p`: `SIP / 2.0 / UDP host[:port] *(;param)`.
    static func via(_ b: SIPBytes, _ p: inout Int) throws(SIPParseError) -> SIPVia {
        let n = b.count
        func token(_ p: inout Int) throws(SIPParseError) -> Range<Int> {
            let start = p
            while p < n && Byte.isToken(b[p]) { p += 1 }
            guard p > start else { throw SIPParseError(reason: "malformed sent-protocol") }
            return start..<p
        }
        func slash(_ p: inout Int) throws(SIPParseError) {
            p = b.skipWS(from: p, to: n)
            guard p < n && b[p] == Byte.slash else { throw SIPParseError(reason: "malformed sent-protocol") }
            p = b.skipWS(from: p + 1, to: n)
        }
        let name = try token(&p)
        try slash(&p)
        let version = try token(&p)
        try slash(&p)
        let transport = try token(&p)
        let afterProtocol = p
        p = b.skipWS(from: p, to: n)
        guard p > afterProtocol, p < n else { throw failure("missing sent-by") }

        let hostStart = p
        if b[p] == Byte.leftBracket {
            guard let close = b.firstIndex(of: Byte.rightBracket, in: p..<n) else {
                throw failure("unterminated IPv6 reference")
            }
            let inner = (p + 1)..<close
            guard !inner.isEmpty, b.all(inner, { Byte.isHex($0) || $0 == Byte.colon || $0 == Byte.dot }) else {
                throw failure("invalid IPv6 reference")
            }
            p = close + 1
        } else {
            while p < n && Byte.isHostChar(b[p]) { p += 1 }
            guard p > hostStart else { throw failure("missing sent-by host") }
        }
        let hostRange = hostStart..<p
        var port: Int?
        p = b.skipWS(from: p, to: n)
        if p < n && b[p] == Byte.colon {
            p = b.skipWS(from: p + 1, to: n)
            let portStart = p
            while p < n && Byte.isDigit(b[p]) { p += 1 }
            guard let value = b.decimal(portStart..<p, max: 65535) else { throw failure("invalid sent-by port") }
            port = value
        }
        let params = try parameters(b, &p, stopAtComma: true)
        for item in params.items {
            // Cheap length dispatch: these checks run for every Via parameter.
            switch item.name.utf8.count {
            case 3 where item.name.caseInsensitiveEquals("ttl"):
                guard let v = item.value, v.utf8.count <= 3, let ttl = Int(v), ttl <= 255 else {
                    throw failure("invalid ttl parameter")
                }
            case 5 where item.name.caseInsensitiveEquals("rport"):
                if let v = item.value {
                    guard v.utf8.count <= 5, v.utf8.allSatisfy(Byte.isDigit), let rport = Int(v), rport <= 65535 else {
                        throw failure("invalid rport parameter")
                    }
                }
            case 5 where item.name.caseInsensitiveEquals("maddr"),
                6 where item.name.caseInsensitiveEquals("branch"),
                8 where item.name.caseInsensitiveEquals("received"):
                guard item.value != nil else { throw failure("\(item.name) parameter without value") }
            default:
                break
            }
        }

        var via = SIPVia(transport: b.string(transport), host: b.string(hostRange), port: port, parameters: params)
        if !(b.equalsLower(name, "sip") && b.equalsLower(version, "2.0")) {
            via.protocolName = b.string(name) + "/" + b.string(version)
        }
        return via
    }

    // MARK: CSeq

    static func cseq(_ b: SIPBytes) throws(SIPParseError) -> SIPCSeq {
        let n = b.count
        var p = b.skipWS(from: 0, to: n)
        let numberStart = p
        while p < n && Byte.isDigit(b[p]) { p += 1 }
        guard let number = b.decimal(numberStart..<p, max: Int(Int32.max)) else {
            throw failure("invalid sequence number")
        }
        let afterNumber = p
        p = b.skipWS(from: p, to: n)
        guard p > afterNumber else { throw failure("missing method") }
        let methodStart = p
        while p < n && Byte.isToken(b[p]) { p += 1 }
        guard p > methodStart, b.skipWS(from: p, to: n) == n else { throw failure("invalid method") }
        return SIPCSeq(UInt32(number), SIPMethod(b.string(methodStart..<p)))
    }
}

extension SIPNameAddress {
    /// Parses a name-addr or addr-spec with header parameters (From, To, Contact, Route, ...).
    /// In addr-spec form, parameters after the URI are header parameters (RFC 3261 §20.10).
    public init(parsing text: some StringProtocol) throws(SIPParseError) {
        do {
            self = try withSIPBytes(text) { bytes throws(SIPParseError) in
                try SIPHeaderValueParser.nameAddress(bytes)
            }
        } catch {
            throw error.prefixed("Malformed address")
        }
    }
}

extension SIPVia {
    /// Parses a Via header value that may hold several comma-separated values, topmost first.
    public static func parseList(_ value: String) throws(SIPParseError) -> [SIPVia] {
        do {
            return try withSIPBytes(value) { bytes throws(SIPParseError) in
                var list: [SIPVia] = []
                try SIPHeaderValueParser.viaList(bytes, into: &list)
                return list
            }
        } catch {
            throw error.prefixed("Malformed Via header")
        }
    }

    /// Parses exactly one Via value.
    public init(parsing text: some StringProtocol) throws(SIPParseError) {
        let list = try SIPVia.parseList(String(text))
        guard list.count == 1 else { throw SIPParseError(reason: "Malformed Via header: expected one value") }
        self = list[0]
    }
}

extension SIPCSeq {
    /// Parses a CSeq header value: `1*DIGIT LWS Method`.
    public init(parsing text: some StringProtocol) throws(SIPParseError) {
        do {
            self = try withSIPBytes(text) { bytes throws(SIPParseError) in try SIPHeaderValueParser.cseq(bytes) }
        } catch {
            throw error.prefixed("Malformed CSeq header")
        }
    }
}
