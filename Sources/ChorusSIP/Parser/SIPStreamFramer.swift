import NIOCore

/// Splits a TCP/TLS byte stream into whole SIP messages (RFC 3261 §18.3): skips CRLF keep-alives
/// (RFC 5626 §3.5.1), finds the end of the header section, requires Content-Length, and bounds sizes.
public enum SIPStreamFramer {
    enum Outcome {
        case needMore(skip: Int)
        case message(skip: Int, length: Int)
        case failure(SIPParseError)
    }

    /// Removes and returns one whole message from the front of `buffer`, or nil when more bytes are
    /// needed. Throws when the stream can not be framed (the connection should then be closed).
    public static func nextMessage(
        from buffer: inout ByteBuffer, limits: SIPParserLimits = SIPParserLimits()
    ) throws(SIPParseError) -> ByteBuffer? {
        let outcome = buffer.withUnsafeReadableBytes { raw in
            scan(SIPBytes(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count), limits)
        }
        switch outcome {
        case .needMore(let skip):
            buffer.moveReaderIndex(forwardBy: skip)
            return nil
        case .message(let skip, let length):
            buffer.moveReaderIndex(forwardBy: skip)
            return buffer.readSlice(length: length)
        case .failure(let error):
            throw error
        }
    }

    static func scan(_ buf: SIPBytes, _ limits: SIPParserLimits) -> Outcome {
        let n = buf.count
        var start = 0
        while start < n && (buf[start] == Byte.cr || buf[start] == Byte.lf) { start += 1 }

        // End of the header section: CRLFCRLF (or, leniently, LFLF).
        var bodyStart = -1
        var blankLine = -1
        var i = start
        while i < n {
            if buf[i] == Byte.lf, let start = buf.bodyStart(afterLineFeedAt: i, count: n) {
                blankLine = i + 1
                bodyStart = start
                break
            }
            i += 1
        }
        guard bodyStart >= 0 else {
            if n - start > limits.maxHeaderSectionSize {
                return .failure(SIPParseError(reason: "Header section too large", kind: .tooLarge))
            }
            return .needMore(skip: start)
        }
        let headerSize = bodyStart - start
        if headerSize > limits.maxHeaderSectionSize {
            return .failure(SIPParseError(reason: "Header section too large", kind: .tooLarge))
        }

        // Content-Length (long or compact name), required on streams.
        var contentLength: Int?
        var lineStart = start
        while lineStart < blankLine {
            let lf = buf.firstIndex(of: Byte.lf, in: lineStart..<blankLine) ?? blankLine
            if lineStart != start, let colon = buf.firstIndex(of: Byte.colon, in: lineStart..<lf) {
                let name = buf.trimmedWS(lineStart..<colon)
                if name.lowerBound == lineStart, buf.equalsLower(name, "content-length") || buf.equalsLower(name, "l") {
                    var end = lf
                    if end > colon && buf[end - 1] == Byte.cr { end -= 1 }
                    guard let value = buf.decimal(buf.trimmedWS((colon + 1)..<end), max: Int(Int32.max)),
                        contentLength == nil || contentLength == value
                    else {
                        return .failure(SIPParseError(reason: "Invalid Content-Length header"))
                    }
                    contentLength = value
                }
            }
            lineStart = lf + 1
        }
        guard let contentLength else { return .failure(SIPParseError(reason: "Missing Content-Length header")) }
        let total = headerSize + contentLength
        if total > limits.maxMessageSize {
            return .failure(SIPParseError(reason: "Message too large", kind: .tooLarge))
        }
        if n - start >= total { return .message(skip: start, length: total) }
        return .needMore(skip: start)
    }
}
