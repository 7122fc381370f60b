import NIOCore

/// Parses whole SIP messages (RFC 3261 §7, §20, §25; RFC 4475).
///
/// The typed headers of ``SIPRequest``/``SIPResponse`` are parsed once, straight from the bytes; every
/// other header lands in ``SIPHeaders`` in order, under its canonical long name, with its value trimmed
/// and unfolded. Content-Length is consumed.
public enum SIPMessageParser {
    /// Parses one whole message.
    public static func parse(
        _ bytes: ByteBuffer, framing: SIPFraming, limits: SIPParserLimits = SIPParserLimits()
    ) throws(SIPParseError) -> SIPMessage {
        let result = bytes.withUnsafeReadableBytes { raw in
            let buffer = SIPBytes(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count)
            return parseResult(buffer, framing: framing, limits: limits)
        }
        return try result.get()
    }

    /// Parses one whole message from bytes.
    public static func parse(
        _ bytes: [UInt8], framing: SIPFraming, limits: SIPParserLimits = SIPParserLimits()
    ) throws(SIPParseError) -> SIPMessage {
        try bytes.withUnsafeBufferPointer { parseResult($0, framing: framing, limits: limits) }.get()
    }

    static func parseResult(_ bytes: SIPBytes, framing: SIPFraming, limits: SIPParserLimits) -> Result<SIPMessage, SIPParseError> {
        do throws(SIPParseError) {
            var parser = MessageParser(buf: bytes, framing: framing, limits: limits)
            return .success(try parser.parse())
        } catch {
            var error = error
            if error.salvage == nil { error.salvage = SIPSalvageScanner.salvage(bytes) }
            return .failure(error)
        }
    }
}

/// Which typed field a header name feeds.
enum SIPHeaderKind {
    case via, from, to, callID, cseq, maxForwards, contentLength, other

    /// Classifies a header name (any case, long or compact form).
    @inline(__always)
    static func classify(_ b: SIPBytes, _ name: Range<Int>) -> SIPHeaderKind {
        switch name.count {
        case 1:
            switch Byte.lower(b[name.lowerBound]) {
            case 0x76: return .via  // v
            case 0x66: return .from  // f
            case 0x74: return .to  // t
            case 0x69: return .callID  // i
            case 0x6C: return .contentLength  // l
            default: return .other
            }
        case 2: return b.equalsLower(name, "to") ? .to : .other
        case 3: return b.equalsLower(name, "via") ? .via : .other
        case 4:
            if b.equalsLower(name, "from") { return .from }
            return b.equalsLower(name, "cseq") ? .cseq : .other
        case 7: return b.equalsLower(name, "call-id") ? .callID : .other
        case 12: return b.equalsLower(name, "max-forwards") ? .maxForwards : .other
        case 14: return b.equalsLower(name, "content-length") ? .contentLength : .other
        default: return .other
        }
    }
}

struct MessageParser {
    let buf: SIPBytes
    let framing: SIPFraming
    let limits: SIPParserLimits

    var isRequest = true
    var via: [SIPVia] = []
    var from: SIPNameAddress?
    var to: SIPNameAddress?
    var callID: String?
    var cseq: SIPCSeq?
    var maxForwards: Int?
    var contentLength: Int?
    var headers = SIPHeaders()
    var headerCount = 0

    init(buf: SIPBytes, framing: SIPFraming, limits: SIPParserLimits) {
        self.buf = buf
        self.framing = framing
        self.limits = limits
    }

    static func failure(_ reason: String, _ kind: SIPParseError.Kind = .malformed) -> SIPParseError {
        SIPParseError(reason: reason, kind: kind)
    }

    mutating func parse() throws(SIPParseError) -> SIPMessage {
        let n = buf.count
        if n > limits.maxMessageSize { throw Self.failure("Message too large", .tooLarge) }
        // RFC 3261 §7.5: ignore CRLFs before the start line.
        var start = 0
        while start < n && (buf[start] == Byte.cr || buf[start] == Byte.lf) { start += 1 }
        if start == n { throw Self.failure("Empty message") }

        // Find the blank line ending the header section, refusing control characters on the way.
        var i = start
        var firstLF = -1
        var blankLine = -1  // index of the empty line's first byte
        var bodyStart = -1
        while i < n {
            // Eight bytes at a time while none is a control character (< 0x20) or DEL.
            if let base = buf.baseAddress {
                while i + 8 <= n {
                    let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    let del = word ^ 0x7F7F_7F7F_7F7F_7F7F
                    let special =
                        ((word &- 0x2020_2020_2020_2020) & ~word) | ((del &- 0x0101_0101_0101_0101) & ~del)
                    if special & 0x8080_8080_8080_8080 != 0 { break }
                    i += 8
                }
            }
            guard i < n else { break }
            let c = buf[i]
            if c >= 0x20 && c != 0x7F {  // the common case: printable ASCII or UTF-8
                i += 1
                continue
            }
            if c == Byte.lf {
                if firstLF < 0 { firstLF = i }
                if i - start >= limits.maxHeaderSectionSize {
                    throw Self.failure("Header section too large", .tooLarge)
                }
                if let start = buf.bodyStart(afterLineFeedAt: i, count: n) {
                    blankLine = i + 1
                    bodyStart = start
                    break
                }
            } else if c == Byte.cr {
                guard i + 1 < n, buf[i + 1] == Byte.lf else {
                    if i + 1 == n { break }
                    throw Self.failure("Bare CR in header section")
                }
            } else if c == 0 {
                throw Self.failure("NUL byte in header section")
            } else if c != Byte.htab {
                throw Self.failure("Control character in header section")
            }
            i += 1
        }
        if bodyStart < 0 {
            if n - start > limits.maxHeaderSectionSize { throw Self.failure("Header section too large", .tooLarge) }
            throw Self.failure("Missing empty line after header section")
        }
        if bodyStart - start > limits.maxHeaderSectionSize {
            throw Self.failure("Header section too large", .tooLarge)
        }

        // Start line.
        var startLineEnd = firstLF
        if startLineEnd > start && buf[startLineEnd - 1] == Byte.cr { startLineEnd -= 1 }
        let startLine = start..<startLineEnd
        var method = SIPMethod.options
        var uri: SIPURI?
        var statusCode = 0
        var reasonPhrase = ""
        if startLine.count >= 4 && buf.equalsLower(start..<(start + 4), "sip/") {
            isRequest = false
            (statusCode, reasonPhrase) = try statusLine(startLine)
        } else {
            (method, uri) = try requestLine(startLine)
        }

        // Header lines, unfolding continuation lines.
        var p = firstLF + 1
        while p < blankLine {
            if Byte.isWS(buf[p]) { throw Self.failure("Continuation line without a header") }
            var lf = buf.firstIndex(of: Byte.lf, in: p..<blankLine)!
            var next = lf + 1
            var folded = false
            while next < blankLine && Byte.isWS(buf[next]) {
                folded = true
                lf = buf.firstIndex(of: Byte.lf, in: next..<blankLine)!
                next = lf + 1
            }
            var end = lf
            if end > p && buf[end - 1] == Byte.cr { end -= 1 }
            try headerLine(p..<end, folded: folded)
            p = next
        }

        // Mandatory headers (RFC 3261 §8.1.1, §8.2.2).
        guard !via.isEmpty else { throw Self.failure("Missing Via header") }
        guard let from else { throw Self.failure("Missing From header") }
        guard let to else { throw Self.failure("Missing To header") }
        guard let callID else { throw Self.failure("Missing Call-ID header") }
        guard let cseq else { throw Self.failure("Missing CSeq header") }
        if isRequest && cseq.method != method {
            throw Self.failure("CSeq method does not match request method")
        }

        // Body (RFC 3261 §18.3, §20.14).
        let available = n - bodyStart
        let bodyLength: Int
        switch framing {
        case .datagram:
            if let contentLength {
                guard contentLength <= available else { throw Self.failure("Content-Length larger than datagram") }
                bodyLength = contentLength
            } else {
                bodyLength = available
            }
        case .stream:
            guard let contentLength else { throw Self.failure("Missing Content-Length header") }
            guard contentLength <= available else { throw Self.failure("Content-Length larger than message") }
            guard contentLength == available else { throw Self.failure("Extra bytes after message body") }
            bodyLength = contentLength
        }
        let body = bodyLength == 0 ? [] : Array(buf.sub(bodyStart..<(bodyStart + bodyLength)))

        if isRequest {
            return .request(
                SIPRequest(
                    method: method, uri: uri!, via: via, from: from, to: to, callID: callID, cseq: cseq,
                    maxForwards: maxForwards, headers: headers, body: body))
        }
        return .response(
            SIPResponse(
                statusCode: statusCode, reasonPhrase: reasonPhrase, via: via, from: from, to: to, callID: callID,
                cseq: cseq, headers: headers, body: body))
    }

    // MARK: Start line

    /// `SIP-Version SP Status-Code SP Reason-Phrase`
    func statusLine(_ line: Range<Int>) throws(SIPParseError) -> (Int, String) {
        let sp = buf.firstIndex(of: Byte.space, in: line) ?? line.upperBound
        try checkVersion(line.lowerBound..<sp)
        let codeStart = sp + 1
        guard codeStart + 3 <= line.upperBound, let code = buf.decimal(codeStart..<(codeStart + 3), max: 999),
            (100...699).contains(code)
        else { throw Self.failure("Invalid status code") }
        let afterCode = codeStart + 3
        guard afterCode == line.upperBound || buf[afterCode] == Byte.space else {
            throw Self.failure("Invalid status code")
        }
        let reason = buf.trimmedWS(min(afterCode + 1, line.upperBound)..<line.upperBound)
        return (code, buf.string(reason))
    }

    /// `Method SP Request-URI SP SIP-Version`
    func requestLine(_ line: Range<Int>) throws(SIPParseError) -> (SIPMethod, SIPURI) {
        guard let sp1 = buf.firstIndex(of: Byte.space, in: line) else { throw Self.failure("Malformed request line") }
        var sp2 = line.upperBound - 1
        while sp2 > sp1 && buf[sp2] != Byte.space { sp2 -= 1 }
        guard sp2 > sp1 || sp1 + 1 < line.upperBound else { throw Self.failure("Malformed request line") }
        let methodRange = line.lowerBound..<sp1
        guard !methodRange.isEmpty, buf.all(methodRange, Byte.isToken) else { throw Self.failure("Invalid method") }
        guard sp2 > sp1 else {
            // A single SP: "INVITE SIP/2.0" (no URI) or "INVITE sip:x" (no version).
            if buf.equalsLower((sp1 + 1)..<min(sp1 + 5, line.upperBound), "sip/") {
                throw Self.failure("Missing Request-URI")
            }
            throw Self.failure("Missing SIP version in request line")
        }
        try checkVersion((sp2 + 1)..<line.upperBound)
        let uriRange = (sp1 + 1)..<sp2
        guard !uriRange.isEmpty, !buf.all(uriRange, Byte.isWS) else { throw Self.failure("Missing Request-URI") }
        guard buf.all(uriRange, { !Byte.isWS($0) }) else { throw Self.failure("Malformed Request-URI") }
        let uri: SIPURI
        do {
            uri = try SIPURIParser.parse(buf.sub(uriRange))
        } catch {
            throw Self.failure("Malformed Request-URI: " + error.reason)
        }
        return (SIPMethod(buf.string(methodRange)), uri)
    }

    /// Accepts `SIP/2.0` (any case); a well-formed other version is `.versionNotSupported`.
    func checkVersion(_ range: Range<Int>) throws(SIPParseError) {
        if buf.equalsLower(range, "sip/2.0") { return }
        let prefixEnd = range.lowerBound + 4
        if range.count >= 7, range.count <= 16, buf.equalsLower(range.lowerBound..<prefixEnd, "sip/"),
            let dot = buf.firstIndex(of: Byte.dot, in: prefixEnd..<range.upperBound),
            dot > prefixEnd, dot + 1 < range.upperBound,
            buf.all(prefixEnd..<dot, Byte.isDigit), buf.all((dot + 1)..<range.upperBound, Byte.isDigit)
        {
            throw Self.failure("Unsupported SIP version " + buf.string(range), .versionNotSupported)
        }
        throw Self.failure("Malformed SIP version")
    }

    // MARK: Header lines

    mutating func headerLine(_ line: Range<Int>, folded: Bool) throws(SIPParseError) {
        headerCount += 1
        if headerCount > limits.maxHeaderCount { throw Self.failure("Too many headers", .tooLarge) }
        guard let colon = buf.firstIndex(of: Byte.colon, in: line) else {
            throw Self.failure("Malformed header line (no colon)")
        }
        let name = buf.trimmedWS(line.lowerBound..<colon)
        guard name.lowerBound == line.lowerBound, !name.isEmpty, buf.all(name, Byte.isToken) else {
            throw Self.failure("Malformed header name")
        }
        let valueRange = (colon + 1)..<line.upperBound
        if !folded {
            try header(name: name, value: buf.sub(buf.trimmedWS(valueRange)))
            return
        }
        // Unfold: trailing WS + CRLF + leading WS become one SP.
        var unfolded: [UInt8] = []
        unfolded.reserveCapacity(valueRange.count)
        var k = valueRange.lowerBound
        while k < valueRange.upperBound {
            let c = buf[k]
            if c == Byte.cr || c == Byte.lf {
                while let last = unfolded.last, Byte.isWS(last) { unfolded.removeLast() }
                while k < valueRange.upperBound && (buf[k] == Byte.cr || buf[k] == Byte.lf || Byte.isWS(buf[k])) {
                    k += 1
                }
                unfolded.append(Byte.space)
                continue
            }
            unfolded.append(c)
            k += 1
        }
        try unfolded.withUnsafeBufferPointer { value throws(SIPParseError) in
            try header(name: name, value: value.sub(value.trimmedWS(0..<value.count)))
        }
    }

    /// Dispatches one header: typed ones are parsed now, others are kept in ``headers``.
    mutating func header(name: Range<Int>, value: SIPBytes) throws(SIPParseError) {
        switch SIPHeaderKind.classify(buf, name) {
        case .via:
            do {
                try SIPHeaderValueParser.viaList(value, into: &via)
            } catch {
                throw error.prefixed("Malformed Via header")
            }
        case .from:
            guard from == nil else { throw Self.failure("Multiple From headers") }
            do { from = try SIPHeaderValueParser.nameAddress(value, allowWildcard: false) } catch { throw error.prefixed("Malformed From header") }
        case .to:
            guard to == nil else { throw Self.failure("Multiple To headers") }
            do { to = try SIPHeaderValueParser.nameAddress(value, allowWildcard: false) } catch { throw error.prefixed("Malformed To header") }
        case .callID:
            guard callID == nil else { throw Self.failure("Multiple Call-ID headers") }
            guard value.count > 0, value.all(0..<value.count, { $0 > 0x20 && $0 != 0x7F }) else {
                throw Self.failure("Malformed Call-ID header")
            }
            callID = String(decoding: value, as: UTF8.self)
        case .cseq:
            guard cseq == nil else { throw Self.failure("Multiple CSeq headers") }
            do { cseq = try SIPHeaderValueParser.cseq(value) } catch { throw error.prefixed("Malformed CSeq header") }
        case .maxForwards where isRequest:
            guard maxForwards == nil else { throw Self.failure("Multiple Max-Forwards headers") }
            guard let hops = value.decimal(0..<value.count, max: 255) else { throw Self.failure("Invalid Max-Forwards") }
            maxForwards = hops
        case .contentLength:
            guard let length = value.decimal(0..<value.count, max: Int(Int32.max)) else {
                throw Self.failure("Invalid Content-Length")
            }
            if let contentLength, contentLength != length { throw Self.failure("Conflicting Content-Length headers") }
            contentLength = length
        case .maxForwards, .other:
            headers.appendParsed(name: canonicalName(name), value: String(decoding: value, as: UTF8.self))
        }
    }

    /// Canonical long name for a header name that is not one of the typed ones.
    func canonicalName(_ name: Range<Int>) -> String {
        // Frequent names first, without building a lookup key.
        for entry in frequentHeaderNames where entry.lower.utf8CodeUnitCount == name.count {
            if buf.equalsLower(name, entry.lower) { return entry.canonical }
        }
        var isLower = true
        let key = String(unsafeUninitializedCapacity: name.count) { out in
            var j = 0
            for k in name {
                let l = Byte.lower(buf[k])
                if l != buf[k] { isLower = false }
                out[j] = l
                j += 1
            }
            return j
        }
        if name.count == 1, let long = SIPHeaders.compactForms[key] { return long }
        if let spelled = SIPHeaders.canonicalSpellings[key] { return spelled }
        return isLower ? key : buf.string(name)
    }
}

/// Header names common enough in conference traffic to be matched before the dictionary lookup.
private let frequentHeaderNames: [(lower: StaticString, canonical: String)] = [
    ("contact", "Contact"), ("m", "Contact"), ("content-type", "Content-Type"), ("c", "Content-Type"),
    ("allow", "Allow"), ("supported", "Supported"), ("k", "Supported"), ("user-agent", "User-Agent"),
    ("route", "Route"), ("record-route", "Record-Route"), ("expires", "Expires"), ("require", "Require"),
    ("session-expires", "Session-Expires"), ("x", "Session-Expires"), ("server", "Server"),
    ("accept", "Accept"), ("authorization", "Authorization"), ("proxy-authorization", "Proxy-Authorization"),
]

extension SIPHeaders {
    /// Appends a field whose name is already canonical (skips the lookup ``add(_:_:)`` does).
    @inline(__always)
    mutating func appendParsed(name: String, value: String) {
        appendField(Field(canonicalName: name, value: value))
    }
}
