// Salvage of a request that failed to parse (RFC 3261 §8.2.6.2): a lenient second look at the header
// lines, run only on the error path, that recovers what a 400 response has to copy. Salvage is given
// only when every Via value, From, To, Call-ID and CSeq parse on their own, so that the response built
// from it is itself a valid message the client can match to its transaction.

enum SIPSalvageScanner {
    /// How far into a failed message the salvage scan looks.
    static let scanLimit = 65_536

    static func salvage(_ buf: SIPBytes) -> SIPRequestSalvage? {
        let n = min(buf.count, scanLimit)
        var p = 0
        while p < n && (buf[p] == Byte.cr || buf[p] == Byte.lf) { p += 1 }
        guard p < n else { return nil }

        // Start line: a request starts with a method token followed by SP.
        let startLineEnd = buf.firstIndex(of: Byte.lf, in: p..<n) ?? n
        guard let sp = buf.firstIndex(of: Byte.space, in: p..<startLineEnd), sp > p,
            buf.all(p..<sp, Byte.isToken)  // excludes "SIP/2.0": '/' is not a token character
        else { return nil }
        let method = buf.string(p..<sp)

        var viaValues: [String] = []
        var from: String?
        var to: String?
        var callID: String?
        var cseq: String?

        // Logical header lines up to the blank line (or the end of what was received).
        var lineStart = startLineEnd + 1
        while lineStart < n {
            var lf = buf.firstIndex(of: Byte.lf, in: lineStart..<n) ?? n
            var end = lf
            if end > lineStart && buf[end - 1] == Byte.cr { end -= 1 }
            if end == lineStart { break }  // blank line
            var pieces = [lineStart..<end]
            while lf + 1 < n && Byte.isWS(buf[lf + 1]) {
                let contStart = lf + 1
                lf = buf.firstIndex(of: Byte.lf, in: contStart..<n) ?? n
                var contEnd = lf
                if contEnd > contStart && buf[contEnd - 1] == Byte.cr { contEnd -= 1 }
                pieces.append(contStart..<contEnd)
            }
            lineStart = lf + 1

            guard let colon = buf.firstIndex(of: Byte.colon, in: pieces[0]) else { continue }
            let name = buf.trimmedWS(pieces[0].lowerBound..<colon)
            guard !name.isEmpty else { continue }
            let kind = SIPHeaderKind.classify(buf, name)
            switch kind {
            case .via, .from, .to, .callID, .cseq: break
            default: continue
            }
            var segments = [buf.trimmedWS((colon + 1)..<pieces[0].upperBound)]
            for piece in pieces.dropFirst() { segments.append(buf.trimmedWS(piece)) }
            // An unreadable line (control bytes) does not count as present.
            guard segments.allSatisfy({ buf.all($0, { !Byte.isControl($0) }) }) else { continue }
            let value = segments.filter { !$0.isEmpty }.map { buf.string($0) }.joined(separator: " ")
            guard !value.isEmpty else { continue }
            switch kind {
            case .via: viaValues.append(contentsOf: SIPHeaders.splitTopLevelCommas(value))
            case .from: if from == nil { from = value }
            case .to: if to == nil { to = value }
            case .callID: if callID == nil { callID = value }
            case .cseq: if cseq == nil { cseq = value }
            default: break
            }
        }

        // Everything copied into the response must parse, or the response would be unparseable too.
        guard let from, let to, let callID, let cseq,
            let vias = try? viaValues.map({ value throws(SIPParseError) in try SIPVia(parsing: value) }),
            let topVia = vias.first,
            (try? SIPNameAddress(parsing: from))?.isWildcard == false,
            (try? SIPNameAddress(parsing: to))?.isWildcard == false,
            (try? SIPCSeq(parsing: cseq)) != nil,
            callID.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F })
        else { return nil }
        return SIPRequestSalvage(
            method: method, topVia: topVia, viaValues: viaValues, from: from, to: to, callID: callID, cseq: cseq)
    }
}
