/// One reception report block of an SR or RR (RFC 3550 §6.4.1).
public struct RTCPReportBlock: Hashable, Sendable {
    /// The source this block reports on.
    public var ssrc: UInt32
    /// Fraction lost since the previous report, in 1/256 units.
    public var fractionLost: UInt8
    /// Cumulative packets lost: a signed 24-bit value (−8388608…8388607).
    public var cumulativeLost: Int32
    public var extendedHighestSequence: UInt32
    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32
    /// LSR: the middle 32 bits of the NTP timestamp of the last SR received from `ssrc`
    /// (0 if none).
    public var lastSenderReport: UInt32
    /// DLSR: 1/65536 seconds between receiving that SR and sending this block.
    public var delaySinceLastSenderReport: UInt32

    public init(
        ssrc: UInt32, fractionLost: UInt8 = 0, cumulativeLost: Int32 = 0, extendedHighestSequence: UInt32 = 0,
        jitter: UInt32 = 0, lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = Self.clampCumulativeLost(Int64(cumulativeLost))
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    /// Clamps to the signed 24-bit wire range.
    public static func clampCumulativeLost(_ value: Int64) -> Int32 {
        Int32(min(max(value, -0x80_0000), 0x7F_FFFF))
    }

    /// The round-trip time in 1/65536 seconds, measured when this block arrived at `arrival`
    /// (§6.4.1: A − LSR − DLSR in the middle 32 bits of NTP time). Nil without an LSR, or
    /// when the result is negative (clock skew or a bogus block).
    public func roundTripTime(arrival: NTPTimestamp) -> UInt32? {
        guard lastSenderReport != 0 else { return nil }
        let rtt = arrival.middle32 &- lastSenderReport &- delaySinceLastSenderReport
        guard Int32(bitPattern: rtt) >= 0 else { return nil }
        return rtt
    }

    /// ``roundTripTime(arrival:)`` in milliseconds.
    public func roundTripMilliseconds(arrival: NTPTimestamp) -> Double? {
        roundTripTime(arrival: arrival).map { Double($0) * 1000 / 65536 }
    }

    static let length = 24

    init(reading bytes: UnsafeRawBufferPointer, at offset: Int) {
        ssrc = readUInt32(bytes, offset)
        fractionLost = bytes[offset + 4]
        let raw = UInt32(bytes[offset + 5]) << 16 | UInt32(bytes[offset + 6]) << 8 | UInt32(bytes[offset + 7])
        cumulativeLost = Int32(bitPattern: raw << 8) >> 8  // sign-extend 24 bits
        extendedHighestSequence = readUInt32(bytes, offset + 8)
        jitter = readUInt32(bytes, offset + 12)
        lastSenderReport = readUInt32(bytes, offset + 16)
        delaySinceLastSenderReport = readUInt32(bytes, offset + 20)
    }

    func write(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        writeUInt32(ssrc, buffer, offset)
        let lost = UInt32(bitPattern: cumulativeLost) & 0xFF_FFFF
        writeUInt32(UInt32(fractionLost) << 24 | lost, buffer, offset + 4)
        writeUInt32(extendedHighestSequence, buffer, offset + 8)
        writeUInt32(jitter, buffer, offset + 12)
        writeUInt32(lastSenderReport, buffer, offset + 16)
        writeUInt32(delaySinceLastSenderReport, buffer, offset + 20)
    }
}

/// The sender information of an SR (§6.4.1).
public struct RTCPSenderInfo: Hashable, Sendable {
    public var ntpTimestamp: NTPTimestamp
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32

    public init(ntpTimestamp: NTPTimestamp, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32) {
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
    }
}

/// One SDES item (§6.5).
public struct RTCPSDESItem: Hashable, Sendable {
    public static let cname: UInt8 = 1
    public var type: UInt8
    public var value: [UInt8]

    public init(type: UInt8, value: [UInt8]) {
        self.type = type
        self.value = value
    }
}

/// One SDES chunk: a source and its items.
public struct RTCPSDESChunk: Hashable, Sendable {
    public var ssrc: UInt32
    public var items: [RTCPSDESItem]

    public init(ssrc: UInt32, items: [RTCPSDESItem]) {
        self.ssrc = ssrc
        self.items = items
    }

    /// The CNAME item as text (invalid UTF-8 repaired).
    public var cname: String? {
        items.first { $0.type == RTCPSDESItem.cname }.map { String(decoding: $0.value, as: UTF8.self) }
    }
}

/// One packet of an RTCP compound packet.
public enum RTCPPacket: Hashable, Sendable {
    case senderReport(ssrc: UInt32, info: RTCPSenderInfo, blocks: [RTCPReportBlock])
    case receiverReport(ssrc: UInt32, blocks: [RTCPReportBlock])
    case sourceDescription([RTCPSDESChunk])
    case bye(ssrcs: [UInt32], reason: String?)
    /// APP (204), feedback (205/206), XR (207) or any other type: not decoded.
    case other(packetType: UInt8, count: UInt8)

    public static let typeSR: UInt8 = 200
    public static let typeRR: UInt8 = 201
    public static let typeSDES: UInt8 = 202
    public static let typeBYE: UInt8 = 203
    public static let typeAPP: UInt8 = 204
}

/// Why bytes are not a valid RTCP compound packet (§6.1, appendix A.2).
public enum RTCPParseError: Error, Hashable, Sendable {
    /// Shorter than one 4-byte RTCP header, or not a multiple of 4 bytes.
    case invalidLength(Int)
    case unsupportedVersion(UInt8)
    /// The first packet is not an SR or RR (only checked when required).
    case firstPacketNotReport(packetType: UInt8)
    /// The P bit is set on a packet other than the last, or the padding count is bad.
    case invalidPadding
    /// A packet's length field runs past the end of the compound packet.
    case truncated(offset: Int)
    /// A packet's contents disagree with its length (report count, SDES items, BYE reason).
    case malformed(packetType: UInt8)
}

/// Parses RTCP compound packets.
///
/// RTCP is ~1% of RTP's packet rate, so parsing into value types (and allocating) is fine.
public enum RTCPParser {
    /// Parses and validates a compound packet.
    ///
    /// - Parameter requireReportFirst: A.2's rule that the first packet is an SR or RR; turn it
    ///   off to accept RFC 5506 reduced-size RTCP.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, requireReportFirst: Bool = true
    ) throws(RTCPParseError) -> [RTCPPacket] {
        let total = bytes.count
        guard total >= 4, total % 4 == 0 else { throw .invalidLength(total) }
        var packets: [RTCPPacket] = []
        var offset = 0
        while offset < total {
            guard offset + 4 <= total else { throw .truncated(offset: offset) }
            let first = bytes[offset]
            guard first >> 6 == 2 else { throw .unsupportedVersion(first >> 6) }
            let count = first & 0x1F
            let type = bytes[offset + 1]
            let length = 4 * (Int(readUInt16(bytes, offset + 2)) + 1)
            let end = offset + length
            guard end <= total else { throw .truncated(offset: offset) }
            if offset == 0, requireReportFirst, type != RTCPPacket.typeSR, type != RTCPPacket.typeRR {
                throw .firstPacketNotReport(packetType: type)
            }
            var bodyEnd = end
            if first & 0x20 != 0 {
                guard end == total else { throw .invalidPadding }
                let padding = Int(bytes[end - 1])
                guard padding > 0, padding <= length - 4 else { throw .invalidPadding }
                bodyEnd -= padding
            }
            let body = UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<bodyEnd])
            packets.append(try parseOne(type: type, count: count, body: body))
            offset = end
        }
        return packets
    }

    /// Convenience for arrays.
    public static func parse(_ bytes: [UInt8], requireReportFirst: Bool = true) throws(RTCPParseError) -> [RTCPPacket] {
        let result: Result<[RTCPPacket], RTCPParseError> = bytes.withUnsafeBytes { raw in
            do throws(RTCPParseError) {
                return .success(try parse(raw, requireReportFirst: requireReportFirst))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func parseOne(type: UInt8, count: UInt8, body: UnsafeRawBufferPointer) throws(RTCPParseError) -> RTCPPacket {
        let blockCount = Int(count)
        switch type {
        case RTCPPacket.typeSR:
            guard body.count >= 24 + blockCount * RTCPReportBlock.length else { throw .malformed(packetType: type) }
            let info = RTCPSenderInfo(
                ntpTimestamp: NTPTimestamp(seconds: readUInt32(body, 4), fraction: readUInt32(body, 8)),
                rtpTimestamp: readUInt32(body, 12), packetCount: readUInt32(body, 16),
                octetCount: readUInt32(body, 20))
            let blocks = (0..<blockCount).map { RTCPReportBlock(reading: body, at: 24 + $0 * RTCPReportBlock.length) }
            return .senderReport(ssrc: readUInt32(body, 0), info: info, blocks: blocks)
        case RTCPPacket.typeRR:
            guard body.count >= 4 + blockCount * RTCPReportBlock.length else { throw .malformed(packetType: type) }
            let blocks = (0..<blockCount).map { RTCPReportBlock(reading: body, at: 4 + $0 * RTCPReportBlock.length) }
            return .receiverReport(ssrc: readUInt32(body, 0), blocks: blocks)
        case RTCPPacket.typeSDES:
            var chunks: [RTCPSDESChunk] = []
            var offset = 0
            for _ in 0..<blockCount {
                guard offset + 4 <= body.count else { throw .malformed(packetType: type) }
                let ssrc = readUInt32(body, offset)
                offset += 4
                var items: [RTCPSDESItem] = []
                while true {
                    guard offset < body.count else { throw .malformed(packetType: type) }
                    let itemType = body[offset]
                    if itemType == 0 {
                        // End of list; skip to the next 32-bit boundary.
                        offset = (offset + 4) & ~3
                        break
                    }
                    guard offset + 2 <= body.count else { throw .malformed(packetType: type) }
                    let itemLength = Int(body[offset + 1])
                    guard offset + 2 + itemLength <= body.count else { throw .malformed(packetType: type) }
                    items.append(RTCPSDESItem(type: itemType, value: Array(body[(offset + 2)..<(offset + 2 + itemLength)])))
                    offset += 2 + itemLength
                }
                guard offset <= body.count else { throw .malformed(packetType: type) }
                chunks.append(RTCPSDESChunk(ssrc: ssrc, items: items))
            }
            return .sourceDescription(chunks)
        case RTCPPacket.typeBYE:
            guard body.count >= 4 * blockCount else { throw .malformed(packetType: type) }
            let ssrcs = (0..<blockCount).map { readUInt32(body, 4 * $0) }
            var reason: String?
            let reasonOffset = 4 * blockCount
            if reasonOffset < body.count {
                let reasonLength = Int(body[reasonOffset])
                guard reasonOffset + 1 + reasonLength <= body.count else { throw .malformed(packetType: type) }
                reason = String(decoding: body[(reasonOffset + 1)..<(reasonOffset + 1 + reasonLength)], as: UTF8.self)
            }
            return .bye(ssrcs: ssrcs, reason: reason)
        default:
            return .other(packetType: type, count: count)
        }
    }
}

/// Writes RTCP packets into caller-provided buffers. Each function writes one packet at
/// `offset` and returns the offset after it, so calls chain into a compound packet.
public enum RTCPWriter {
    /// Bytes of an SR with `blocks` report blocks.
    public static func senderReportLength(blocks: Int) -> Int { 28 + 24 * blocks }
    /// Bytes of an RR with `blocks` report blocks.
    public static func receiverReportLength(blocks: Int) -> Int { 8 + 24 * blocks }
    /// Bytes of an SDES packet with one chunk carrying a CNAME of `cnameLength` bytes.
    public static func sdesLength(cnameLength: Int) -> Int { 4 + (4 + 2 + cnameLength + 1 + 3) / 4 * 4 }
    /// Bytes of a BYE with `sources` SSRCs and a reason of `reasonLength` bytes (nil: none).
    public static func byeLength(sources: Int, reasonLength: Int?) -> Int {
        4 + 4 * sources + (reasonLength.map { ($0 + 1 + 3) / 4 * 4 } ?? 0)
    }

    private static func header(
        count: Int, type: UInt8, length: Int, into buffer: UnsafeMutableRawBufferPointer, at offset: Int
    ) {
        buffer[offset] = 0x80 | UInt8(count)
        buffer[offset + 1] = type
        writeUInt16(UInt16(length / 4 - 1), buffer, offset + 2)
    }

    private static func check(_ needed: Int, _ buffer: UnsafeMutableRawBufferPointer, _ offset: Int) throws(RTPBuildError) {
        guard offset >= 0, buffer.count - offset >= needed else {
            throw .bufferTooSmall(needed: offset + needed, available: buffer.count)
        }
    }

    public static func writeSenderReport(
        ssrc: UInt32, info: RTCPSenderInfo, blocks: some Collection<RTCPReportBlock>,
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0
    ) throws(RTPBuildError) -> Int {
        guard blocks.count <= 31 else { throw .tooManyItems(blocks.count) }
        let length = senderReportLength(blocks: blocks.count)
        try check(length, buffer, offset)
        header(count: blocks.count, type: RTCPPacket.typeSR, length: length, into: buffer, at: offset)
        writeUInt32(ssrc, buffer, offset + 4)
        writeUInt32(info.ntpTimestamp.seconds, buffer, offset + 8)
        writeUInt32(info.ntpTimestamp.fraction, buffer, offset + 12)
        writeUInt32(info.rtpTimestamp, buffer, offset + 16)
        writeUInt32(info.packetCount, buffer, offset + 20)
        writeUInt32(info.octetCount, buffer, offset + 24)
        for (index, block) in blocks.enumerated() { block.write(into: buffer, at: offset + 28 + 24 * index) }
        return offset + length
    }

    public static func writeReceiverReport(
        ssrc: UInt32, blocks: some Collection<RTCPReportBlock>,
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0
    ) throws(RTPBuildError) -> Int {
        guard blocks.count <= 31 else { throw .tooManyItems(blocks.count) }
        let length = receiverReportLength(blocks: blocks.count)
        try check(length, buffer, offset)
        header(count: blocks.count, type: RTCPPacket.typeRR, length: length, into: buffer, at: offset)
        writeUInt32(ssrc, buffer, offset + 4)
        for (index, block) in blocks.enumerated() { block.write(into: buffer, at: offset + 8 + 24 * index) }
        return offset + length
    }

    /// An SDES packet with one chunk: `ssrc` and its CNAME (at most 255 bytes).
    public static func writeSourceDescription(
        ssrc: UInt32, cname: UnsafeRawBufferPointer,
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0
    ) throws(RTPBuildError) -> Int {
        guard cname.count <= 255 else { throw .fieldOutOfRange }
        let length = sdesLength(cnameLength: cname.count)
        try check(length, buffer, offset)
        header(count: 1, type: RTCPPacket.typeSDES, length: length, into: buffer, at: offset)
        writeUInt32(ssrc, buffer, offset + 4)
        buffer[offset + 8] = RTCPSDESItem.cname
        buffer[offset + 9] = UInt8(cname.count)
        for (index, byte) in cname.enumerated() { buffer[offset + 10 + index] = byte }
        for index in (offset + 10 + cname.count)..<(offset + length) { buffer[index] = 0 }  // end + pad
        return offset + length
    }

    /// A BYE for `ssrcs` with an optional reason (at most 255 bytes).
    public static func writeBye(
        ssrcs: some Collection<UInt32>, reason: UnsafeRawBufferPointer? = nil,
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0
    ) throws(RTPBuildError) -> Int {
        guard ssrcs.count <= 31 else { throw .tooManyItems(ssrcs.count) }
        guard (reason?.count ?? 0) <= 255 else { throw .fieldOutOfRange }
        let length = byeLength(sources: ssrcs.count, reasonLength: reason?.count)
        try check(length, buffer, offset)
        header(count: ssrcs.count, type: RTCPPacket.typeBYE, length: length, into: buffer, at: offset)
        for (index, ssrc) in ssrcs.enumerated() { writeUInt32(ssrc, buffer, offset + 4 + 4 * index) }
        if let reason {
            var position = offset + 4 + 4 * ssrcs.count
            buffer[position] = UInt8(reason.count)
            position += 1
            for byte in reason {
                buffer[position] = byte
                position += 1
            }
            while position < offset + length {
                buffer[position] = 0
                position += 1
            }
        }
        return offset + length
    }
}

/// Builds whole compound packets as arrays (slow path and tests).
public enum RTCPCompound {
    /// SR (when `senderInfo` is given) or RR, then SDES CNAME; optionally BYE last.
    public static func report(
        ssrc: UInt32, senderInfo: RTCPSenderInfo?, blocks: [RTCPReportBlock], cname: String,
        bye: (ssrcs: [UInt32], reason: String?)? = nil
    ) throws(RTPBuildError) -> [UInt8] {
        let cnameBytes = Array(cname.utf8)
        let reasonBytes = bye?.reason.map { Array($0.utf8) }
        var length = senderInfo != nil
            ? RTCPWriter.senderReportLength(blocks: blocks.count) : RTCPWriter.receiverReportLength(blocks: blocks.count)
        length += RTCPWriter.sdesLength(cnameLength: cnameBytes.count)
        if let bye { length += RTCPWriter.byeLength(sources: bye.ssrcs.count, reasonLength: reasonBytes?.count) }
        var bytes = [UInt8](repeating: 0, count: length)
        let result: Result<Int, RTPBuildError> = bytes.withUnsafeMutableBytes { buffer in
            do throws(RTPBuildError) {
                var offset: Int
                if let senderInfo {
                    offset = try RTCPWriter.writeSenderReport(ssrc: ssrc, info: senderInfo, blocks: blocks, into: buffer)
                } else {
                    offset = try RTCPWriter.writeReceiverReport(ssrc: ssrc, blocks: blocks, into: buffer)
                }
                offset = try cnameBytes.withUnsafeBytes { cname in
                    Result { () throws(RTPBuildError) -> Int in
                        try RTCPWriter.writeSourceDescription(ssrc: ssrc, cname: cname, into: buffer, at: offset)
                    }
                }.get()
                if let bye {
                    let start = offset
                    offset = try (reasonBytes ?? []).withUnsafeBytes { reason in
                        Result { () throws(RTPBuildError) -> Int in
                            try RTCPWriter.writeBye(
                                ssrcs: bye.ssrcs, reason: reasonBytes == nil ? nil : reason, into: buffer, at: start)
                        }
                    }.get()
                }
                return .success(offset)
            } catch {
                return .failure(error)
            }
        }
        _ = try result.get()
        return bytes
    }

    /// RR with no blocks, SDES CNAME and BYE: what a leaving participant sends (§6.6 requires
    /// BYE inside a compound packet).
    public static func bye(ssrc: UInt32, cname: String, reason: String?) throws(RTPBuildError) -> [UInt8] {
        try report(ssrc: ssrc, senderInfo: nil, blocks: [], cname: cname, bye: ([ssrc], reason))
    }
}
