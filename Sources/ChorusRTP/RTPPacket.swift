/// Why bytes are not an RTP packet (RFC 3550 §5.1, §A.1 header validity checks).
public enum RTPParseError: Error, Hashable, Sendable {
    /// Fewer than the 12 bytes of the fixed header.
    case tooShort(length: Int)
    /// The version field is not 2.
    case unsupportedVersion(UInt8)
    /// The CSRC list runs past the end of the packet.
    case truncatedCSRCList(csrcCount: Int, length: Int)
    /// The header extension (its 4-byte header or its data) runs past the end of the packet.
    case truncatedExtension
    /// The P bit is set but the last byte is 0 or counts more bytes than follow the header.
    case invalidPadding(count: Int)
}

/// Reads a big-endian integer at an offset; callers check bounds first.
@inline(__always)
func readUInt16(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
    UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
}

@inline(__always)
func readUInt32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
        | UInt32(bytes[offset + 3])
}

@inline(__always)
func writeUInt16(_ value: UInt16, _ bytes: UnsafeMutableRawBufferPointer, _ offset: Int) {
    bytes[offset] = UInt8(truncatingIfNeeded: value >> 8)
    bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
}

@inline(__always)
func writeUInt32(_ value: UInt32, _ bytes: UnsafeMutableRawBufferPointer, _ offset: Int) {
    bytes[offset] = UInt8(truncatingIfNeeded: value >> 24)
    bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
    bytes[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
    bytes[offset + 3] = UInt8(truncatingIfNeeded: value)
}

/// A validated, zero-copy view of an RTP packet (RFC 3550 §5.1).
///
/// Holds the caller's pointer: valid only while those bytes are. Creating one validates the
/// whole header once and never allocates; the accessors then read fields in place. Ranges are
/// offsets into the viewed bytes.
public struct RTPPacketView {
    /// The viewed bytes (the whole packet).
    public let bytes: UnsafeRawBufferPointer
    /// Offsets of the payload (after the header, CSRCs and extension; before padding).
    public let payloadRange: Range<Int>
    /// Offsets of the header extension's data (after its 4-byte header), if the X bit is set.
    public let extensionRange: Range<Int>?

    /// Validates `bytes` as an RTP packet.
    public init(bytes: UnsafeRawBufferPointer) throws(RTPParseError) {
        let length = bytes.count
        guard length >= 12 else { throw .tooShort(length: length) }
        let first = bytes[0]
        guard first >> 6 == 2 else { throw .unsupportedVersion(first >> 6) }
        let csrcCount = Int(first & 0x0F)
        var offset = 12 + 4 * csrcCount
        guard offset <= length else { throw .truncatedCSRCList(csrcCount: csrcCount, length: length) }
        var extensionRange: Range<Int>?
        if first & 0x10 != 0 {
            guard offset + 4 <= length else { throw .truncatedExtension }
            let words = Int(readUInt16(bytes, offset + 2))
            let start = offset + 4
            let end = start + 4 * words
            guard end <= length else { throw .truncatedExtension }
            extensionRange = start..<end
            offset = end
        }
        var end = length
        if first & 0x20 != 0 {
            let padding = Int(bytes[length - 1])
            guard padding > 0, padding <= length - offset else { throw .invalidPadding(count: padding) }
            end -= padding
        }
        self.bytes = bytes
        self.payloadRange = offset..<end
        self.extensionRange = extensionRange
    }

    public var version: UInt8 { bytes[0] >> 6 }
    public var hasPadding: Bool { bytes[0] & 0x20 != 0 }
    public var hasExtension: Bool { bytes[0] & 0x10 != 0 }
    public var csrcCount: Int { Int(bytes[0] & 0x0F) }
    public var marker: Bool { bytes[1] & 0x80 != 0 }
    public var payloadType: UInt8 { bytes[1] & 0x7F }
    public var sequenceNumber: UInt16 { readUInt16(bytes, 2) }
    public var timestamp: UInt32 { readUInt32(bytes, 4) }
    public var ssrc: UInt32 { readUInt32(bytes, 8) }
    /// Bytes of padding at the end (0 without the P bit).
    public var paddingLength: Int { bytes.count - payloadRange.upperBound }

    /// The CSRC at `index` (0 ..< csrcCount).
    public func csrc(at index: Int) -> UInt32 {
        precondition(index >= 0 && index < csrcCount, "CSRC index out of range")
        return readUInt32(bytes, 12 + 4 * index)
    }

    /// The payload bytes (rebased: indices start at 0).
    public var payload: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[payloadRange])
    }

    /// The 16-bit "defined by profile" field of the header extension.
    public var extensionProfile: UInt16? {
        guard let range = extensionRange else { return nil }
        return readUInt16(bytes, range.lowerBound - 4)
    }

    /// The RFC 8285 header extension elements, or nil without an extension or with a profile
    /// that is neither the one-byte (0xBEDE) nor the two-byte (0x100X) form.
    public var extensionElements: RTPHeaderExtensionElements? {
        guard let range = extensionRange, let profile = extensionProfile else { return nil }
        guard let form = RTPHeaderExtensionElements.Form(profile: profile) else { return nil }
        return RTPHeaderExtensionElements(bytes: bytes, range: range, form: form)
    }

    /// The data of the RFC 8285 element with `id`, as offsets into ``bytes``.
    public func extensionElement(id: UInt8) -> Range<Int>? {
        extensionElements?.first(id: id)
    }

    /// The RFC 6464 client-to-mixer audio level carried in the element with `id`.
    public func audioLevel(id: UInt8) -> RTPAudioLevel? {
        guard let range = extensionElement(id: id), !range.isEmpty else { return nil }
        return RTPAudioLevel(byte: bytes[range.lowerBound])
    }
}

/// The elements of an RFC 8285 header extension, iterated without allocation.
public struct RTPHeaderExtensionElements: Sequence {
    /// One-byte (profile 0xBEDE, ids 1–14, 1–16 data bytes) or two-byte (profile 0x100X,
    /// ids 1–255, 0–255 data bytes).
    public enum Form: Sendable, Hashable {
        case oneByte
        case twoByte

        public init?(profile: UInt16) {
            if profile == 0xBEDE {
                self = .oneByte
            } else if profile & 0xFFF0 == 0x1000 {
                self = .twoByte
            } else {
                return nil
            }
        }
    }

    /// One element: its id and the offsets of its data in the packet.
    public struct Element: Hashable, Sendable {
        public var id: UInt8
        public var range: Range<Int>
    }

    public let bytes: UnsafeRawBufferPointer
    public let range: Range<Int>
    public let form: Form

    public struct Iterator: IteratorProtocol {
        let bytes: UnsafeRawBufferPointer
        let end: Int
        let form: Form
        var offset: Int

        /// The next element; stops at the end, at malformed data, or at one-byte id 15.
        public mutating func next() -> Element? {
            while offset < end {
                let head = bytes[offset]
                switch form {
                case .oneByte:
                    if head == 0 { offset += 1; continue }  // padding
                    let id = head >> 4
                    if id == 15 { offset = end; return nil }  // reserved: stop
                    let count = Int(head & 0x0F) + 1
                    let start = offset + 1
                    guard start + count <= end else { offset = end; return nil }
                    offset = start + count
                    return Element(id: id, range: start..<(start + count))
                case .twoByte:
                    if head == 0 { offset += 1; continue }  // padding
                    guard offset + 2 <= end else { offset = end; return nil }
                    let count = Int(bytes[offset + 1])
                    let start = offset + 2
                    guard start + count <= end else { offset = end; return nil }
                    offset = start + count
                    return Element(id: head, range: start..<(start + count))
                }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(bytes: bytes, end: range.upperBound, form: form, offset: range.lowerBound)
    }

    /// The data offsets of the first element with `id`.
    public func first(id: UInt8) -> Range<Int>? {
        for element in self where element.id == id { return element.range }
        return nil
    }
}

/// RFC 6464 audio level: the V (voice activity) flag and the level in −dBov (0 loudest, 127
/// quietest).
public struct RTPAudioLevel: Hashable, Sendable {
    public var voiceActivity: Bool
    /// 0…127, meaning −level dBov.
    public var level: UInt8

    public init(voiceActivity: Bool, level: UInt8) {
        self.voiceActivity = voiceActivity
        self.level = min(level, 127)
    }

    public init(byte: UInt8) {
        self.voiceActivity = byte & 0x80 != 0
        self.level = byte & 0x7F
    }

    public var byte: UInt8 { (voiceActivity ? 0x80 : 0) | level }
}

/// The fixed RTP header fields Chorus sets when sending.
public struct RTPHeader: Hashable, Sendable {
    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32

    public init(marker: Bool = false, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
    }
}

/// One RFC 8285 one-byte header extension element held inline (no allocation): id 1–14 and
/// 1–16 bytes of data.
public struct RTPOneByteExtensionElement: Hashable, Sendable {
    public let id: UInt8
    public let count: Int
    private var storage: SIMD16<UInt8>

    /// Nil when `id` is outside 1…14 or `data` is empty or longer than 16 bytes.
    public init?(id: UInt8, data: some Collection<UInt8>) {
        guard (1...14).contains(id), (1...16).contains(data.count) else { return nil }
        self.id = id
        self.count = data.count
        self.storage = SIMD16()
        for (index, byte) in data.enumerated() { storage[index] = byte }
    }

    /// The RFC 6464 audio level element.
    public static func audioLevel(id: UInt8, _ level: RTPAudioLevel) -> RTPOneByteExtensionElement? {
        RTPOneByteExtensionElement(id: id, data: CollectionOfOne(level.byte))
    }

    public var data: [UInt8] {
        (0..<count).map { storage[$0] }
    }

    /// Bytes of the whole extension: 4-byte extension header + element, padded to 32 bits.
    public var extensionLength: Int { 4 + (1 + count + 3) / 4 * 4 }

    func write(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        let words = (1 + count + 3) / 4
        writeUInt16(0xBEDE, buffer, offset)
        writeUInt16(UInt16(words), buffer, offset + 2)
        buffer[offset + 4] = id << 4 | UInt8(count - 1)
        for index in 0..<count { buffer[offset + 5 + index] = storage[index] }
        for index in (5 + count)..<(4 + 4 * words) { buffer[offset + index] = 0 }
    }
}

/// Why an RTP or RTCP packet could not be written.
public enum RTPBuildError: Error, Hashable, Sendable {
    /// The buffer is smaller than the packet.
    case bufferTooSmall(needed: Int, available: Int)
    /// More than 15 CSRCs (or 31 report blocks / sources for RTCP).
    case tooManyItems(Int)
    /// A field does not fit its wire format (payload type > 127, SDES text > 255 bytes, …).
    case fieldOutOfRange
}

/// Writes RTP headers into caller-provided buffers.
public enum RTPWriter {
    /// Bytes of a header with `csrcCount` CSRCs and an optional one-byte extension element.
    public static func headerLength(csrcCount: Int, extension element: RTPOneByteExtensionElement? = nil) -> Int {
        12 + 4 * csrcCount + (element?.extensionLength ?? 0)
    }

    /// Writes the header at the start of `buffer`; the payload goes after it.
    ///
    /// - Returns: the header length (the payload's offset).
    @discardableResult
    public static func writeHeader(
        _ header: RTPHeader,
        csrcs: UnsafeBufferPointer<UInt32> = UnsafeBufferPointer(start: nil, count: 0),
        extension element: RTPOneByteExtensionElement? = nil,
        into buffer: UnsafeMutableRawBufferPointer
    ) throws(RTPBuildError) -> Int {
        guard csrcs.count <= 15 else { throw .tooManyItems(csrcs.count) }
        guard header.payloadType <= 127 else { throw .fieldOutOfRange }
        let length = headerLength(csrcCount: csrcs.count, extension: element)
        guard buffer.count >= length else { throw .bufferTooSmall(needed: length, available: buffer.count) }
        buffer[0] = 0x80 | (element != nil ? 0x10 : 0) | UInt8(csrcs.count)
        buffer[1] = (header.marker ? 0x80 : 0) | header.payloadType
        writeUInt16(header.sequenceNumber, buffer, 2)
        writeUInt32(header.timestamp, buffer, 4)
        writeUInt32(header.ssrc, buffer, 8)
        for (index, csrc) in csrcs.enumerated() { writeUInt32(csrc, buffer, 12 + 4 * index) }
        element?.write(into: buffer, at: 12 + 4 * csrcs.count)
        return length
    }

    /// Writes header and payload; returns the packet length.
    public static func writePacket(
        _ header: RTPHeader,
        csrcs: UnsafeBufferPointer<UInt32> = UnsafeBufferPointer(start: nil, count: 0),
        extension element: RTPOneByteExtensionElement? = nil,
        payload: UnsafeRawBufferPointer,
        into buffer: UnsafeMutableRawBufferPointer
    ) throws(RTPBuildError) -> Int {
        let headerLength = headerLength(csrcCount: csrcs.count, extension: element)
        let total = headerLength + payload.count
        guard buffer.count >= total else { throw .bufferTooSmall(needed: total, available: buffer.count) }
        try writeHeader(header, csrcs: csrcs, extension: element, into: buffer)
        if !payload.isEmpty {
            UnsafeMutableRawBufferPointer(rebasing: buffer[headerLength..<total]).copyMemory(from: payload)
        }
        return total
    }
}

/// An RTP packet as values: for tests, logs and slow paths. The hot path uses
/// ``RTPPacketView`` and ``RTPWriter``.
public struct RTPPacket: Hashable, Sendable {
    public var header: RTPHeader
    public var csrcs: [UInt32]
    /// The extension's profile field and data (a multiple of 4 bytes), if any.
    public var headerExtension: (profile: UInt16, data: [UInt8])? {
        get { extensionProfile.map { ($0, extensionData) } }
        set {
            extensionProfile = newValue?.profile
            extensionData = newValue?.data ?? []
        }
    }
    public var payload: [UInt8]
    /// Padding bytes to append (0 for none; the last byte carries the count).
    public var paddingLength: Int

    private var extensionProfile: UInt16?
    private var extensionData: [UInt8]

    public init(
        header: RTPHeader, csrcs: [UInt32] = [], headerExtension: (profile: UInt16, data: [UInt8])? = nil,
        payload: [UInt8], paddingLength: Int = 0
    ) {
        self.header = header
        self.csrcs = csrcs
        self.payload = payload
        self.paddingLength = paddingLength
        self.extensionProfile = headerExtension?.profile
        self.extensionData = headerExtension?.data ?? []
    }

    public init(_ view: RTPPacketView) {
        let bytes = view.bytes
        header = RTPHeader(
            marker: view.marker, payloadType: view.payloadType, sequenceNumber: view.sequenceNumber,
            timestamp: view.timestamp, ssrc: view.ssrc)
        csrcs = (0..<view.csrcCount).map(view.csrc(at:))
        payload = Array(view.payload)
        paddingLength = view.paddingLength
        extensionProfile = view.extensionProfile
        extensionData = view.extensionRange.map { Array(bytes[$0]) } ?? []
    }

    public init(parsing bytes: [UInt8]) throws(RTPParseError) {
        let result: Result<RTPPacket, RTPParseError> = bytes.withUnsafeBytes { raw in
            do throws(RTPParseError) {
                return .success(RTPPacket(try RTPPacketView(bytes: raw)))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    /// The wire bytes. Extension data is zero-padded to 32 bits.
    public func serialized() -> [UInt8] {
        precondition(csrcs.count <= 15 && header.payloadType <= 127 && paddingLength <= 255)
        var bytes: [UInt8] = [
            0x80 | (paddingLength > 0 ? 0x20 : 0) | (extensionProfile != nil ? 0x10 : 0) | UInt8(csrcs.count),
            (header.marker ? 0x80 : 0) | header.payloadType,
            UInt8(header.sequenceNumber >> 8), UInt8(header.sequenceNumber & 0xFF),
        ]
        func append32(_ value: UInt32) {
            bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
        }
        append32(header.timestamp)
        append32(header.ssrc)
        csrcs.forEach(append32)
        if let profile = extensionProfile {
            let words = (extensionData.count + 3) / 4
            bytes += [UInt8(profile >> 8), UInt8(profile & 0xFF), UInt8(words >> 8), UInt8(words & 0xFF)]
            bytes += extensionData + Array(repeating: 0, count: words * 4 - extensionData.count)
        }
        bytes += payload
        if paddingLength > 0 {
            bytes += Array(repeating: 0, count: paddingLength - 1) + [UInt8(paddingLength)]
        }
        return bytes
    }

    public static func == (lhs: RTPPacket, rhs: RTPPacket) -> Bool {
        lhs.header == rhs.header && lhs.csrcs == rhs.csrcs && lhs.payload == rhs.payload
            && lhs.paddingLength == rhs.paddingLength && lhs.extensionProfile == rhs.extensionProfile
            && lhs.extensionData == rhs.extensionData
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(header)
        hasher.combine(payload)
    }
}
