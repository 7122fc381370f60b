import NIOCore

extension SIPRequest {
    /// Writes the request in wire form, long header names, with a Content-Length matching ``body``.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeString("\(method.rawValue) \(uri) SIP/2.0\r\n")
        for v in via { buffer.writeString("Via: \(v)\r\n") }
        if let maxForwards { buffer.writeString("Max-Forwards: \(maxForwards)\r\n") }
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
        buffer.writeString("SIP/2.0 \(statusCode) \(reasonPhrase)\r\n")
        for v in via { buffer.writeString("Via: \(v)\r\n") }
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

private func writeCommon(
    from: SIPNameAddress, to: SIPNameAddress, callID: String, cseq: SIPCSeq, headers: SIPHeaders,
    body: [UInt8], into buffer: inout ByteBuffer
) {
    buffer.writeString("From: \(from)\r\nTo: \(to)\r\nCall-ID: \(callID)\r\nCSeq: \(cseq)\r\n")
    for field in headers {
        buffer.writeString(field.name)
        buffer.writeString(": ")
        buffer.writeString(field.value)
        buffer.writeString("\r\n")
    }
    buffer.writeString("Content-Length: \(body.count)\r\n\r\n")
    buffer.writeBytes(body)
}
