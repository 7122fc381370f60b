import NIOCore

// Wire form of messages (RFC 3261 §7): long header names, From/To in name-addr form, one Via per
// line, Content-Length computed from the body. Parsing the output gives back an equal message.

extension SIPRequest {
    /// Writes the request in wire form, long header names, with a Content-Length matching ``body``.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeString(method.rawValue)
        buffer.writeString(" ")
        buffer.writeString(uri.description)
        buffer.writeString(" SIP/2.0\r\n")
        for v in via { writeHeader("Via", v.description, into: &buffer) }
        if let maxForwards { writeHeader("Max-Forwards", String(maxForwards), into: &buffer) }
        writeCommon(from: from, to: to, callID: callID, cseq: cseq, headers: headers, body: body, into: &buffer)
    }

    public func serialized() -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 512 + body.count)
        write(into: &buffer)
        return Array(buffer.readableBytesView)
    }
}

extension SIPResponse {
    /// Writes the response in wire form, long header names, with a Content-Length matching ``body``.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeString("SIP/2.0 ")
        buffer.writeString(String(statusCode))
        buffer.writeString(" ")
        buffer.writeString(reasonPhrase)
        buffer.writeString("\r\n")
        for v in via { writeHeader("Via", v.description, into: &buffer) }
        writeCommon(from: from, to: to, callID: callID, cseq: cseq, headers: headers, body: body, into: &buffer)
    }

    public func serialized() -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 512 + body.count)
        write(into: &buffer)
        return Array(buffer.readableBytesView)
    }
}

extension SIPMessage {
    public func write(into buffer: inout ByteBuffer) {
        switch self {
        case .request(let r): r.write(into: &buffer)
        case .response(let r): r.write(into: &buffer)
        }
    }

    public func serialized() -> [UInt8] {
        switch self {
        case .request(let r): r.serialized()
        case .response(let r): r.serialized()
        }
    }
}

@inline(__always)
private func writeHeader(_ name: String, _ value: String, into buffer: inout ByteBuffer) {
    buffer.writeString(name)
    buffer.writeString(": ")
    buffer.writeString(value)
    buffer.writeString("\r\n")
}

private func writeCommon(
    from: SIPNameAddress, to: SIPNameAddress, callID: String, cseq: SIPCSeq, headers: SIPHeaders,
    body: [UInt8], into buffer: inout ByteBuffer
) {
    writeHeader("From", from.description, into: &buffer)
    writeHeader("To", to.description, into: &buffer)
    writeHeader("Call-ID", callID, into: &buffer)
    writeHeader("CSeq", cseq.description, into: &buffer)
    for field in headers where field.name != "Content-Length" {
        writeHeader(field.name, field.value, into: &buffer)
    }
    buffer.writeString("Content-Length: ")
    buffer.writeString(String(body.count))
    buffer.writeString("\r\n\r\n")
    buffer.writeBytes(body)
}
