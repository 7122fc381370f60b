/// One RFC 4733 §2.3 named telephone-event payload: event code, end bit, volume, duration.
public struct TelephoneEventPayload: Hashable, Sendable {
    /// The event code (0–9, 10 `*`, 11 `#`, 12–15 A–D for DTMF; others for tones and flash).
    public var event: UInt8
    /// The E bit: this packet ends the event.
    public var isEnd: Bool
    /// Power level in −dBm0 (0…63); meaningful for DTMF only.
    public var volume: UInt8
    /// Duration so far, in timestamp units, counted from the event's RTP timestamp.
    public var duration: UInt16

    public init(event: UInt8, isEnd: Bool, volume: UInt8, duration: UInt16) {
        self.event = event
        self.isEnd = isEnd
        self.volume = volume & 0x3F
        self.duration = duration
    }

    /// Parses the first 4 bytes; nil when shorter. Extra bytes are ignored (the plain form
    /// carries exactly one event; RFC 2198 redundancy is not decoded).
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 4 else { return nil }
        let base = bytes.startIndex
        event = bytes[base]
        isEnd = bytes[base + 1] & 0x80 != 0
        volume = bytes[base + 1] & 0x3F
        duration = UInt16(bytes[base + 2]) << 8 | UInt16(bytes[base + 3])
    }

    public init?(bytes: [UInt8]) {
        guard let parsed = bytes.withUnsafeBytes({ TelephoneEventPayload(bytes: $0) }) else { return nil }
        self = parsed
    }

    /// The 4 wire bytes.
    public var bytes: [UInt8] {
        [event, (isEnd ? 0x80 : 0) | volume, UInt8(duration >> 8), UInt8(duration & 0xFF)]
    }

    /// The DTMF character for `event`: 0–9, `*`, `#`, A–D; nil for other events.
    public static func character(for event: UInt8) -> Character? {
        switch event {
        case 0...9: Character(Unicode.Scalar(UInt8(ascii: "0") + event))
        case 10: "*"
        case 11: "#"
        case 12...15: Character(Unicode.Scalar(UInt8(ascii: "A") + event - 12))
        default: nil
        }
    }
}

/// A completed telephone event, reported once per key press.
public enum TelephoneEvent: Hashable, Sendable {
    case digit(Character, durationMs: Int)
    /// A non-DTMF event code (flash, tones).
    case other(event: UInt8, durationMs: Int)
}

/// Turns a stream of RFC 4733 packets into events, each exactly once.
///
/// An event is identified by its RTP timestamp (§2.5.1.2: all packets of one event share the
/// start timestamp): a new timestamp starts a new event even when the marker bit was lost,
/// repeated updates and the three end packets of an event are absorbed, and an event whose
/// end never arrives is closed ``timeoutMs`` after its last packet (``poll(now:)``) or when
/// the next event starts. Events are reported when they end, with their duration.
public struct TelephoneEventReceiver: Sendable {
    public let clockRate: Int
    /// Milliseconds without packets after which an unended event is closed.
    public var timeoutMs: Int64

    private struct Current {
        var timestamp: UInt32
        var event: UInt8
        var duration: UInt16
        var lastPacketMs: Int64
    }

    private var current: Current?
    /// Timestamp of the last event closed, to absorb its late repeats.
    private var lastClosed: UInt32?

    public init(clockRate: Int = 8000, timeoutMs: Int64 = 300) {
        precondition(clockRate > 0)
        self.clockRate = clockRate
        self.timeoutMs = timeoutMs
    }

    /// Feeds one telephone-event packet received at `now` (milliseconds). Returns events
    /// completed by it: usually none or one; two when a new event also closes an unended one.
    public mutating func receive(timestamp: UInt32, marker: Bool, payload: TelephoneEventPayload, now: Int64) -> [TelephoneEvent] {
        var completed: [TelephoneEvent] = []
        if let open = current {
            if timestamp == open.timestamp {
                current!.duration = max(open.duration, payload.duration)
                current!.lastPacketMs = now
                if payload.isEnd, let event = close() { completed.append(event) }
                return completed
            }
            // Older than the open event: a straggler from before; ignore.
            if Int32(bitPattern: timestamp &- open.timestamp) < 0 { return completed }
            // A new event: the open one lost its end packets.
            if let event = close() { completed.append(event) }
        }
        if let closed = lastClosed, Int32(bitPattern: timestamp &- closed) <= 0 {
            return completed  // a repeat of (or older than) the event already reported
        }
        current = Current(timestamp: timestamp, event: payload.event, duration: payload.duration, lastPacketMs: now)
        if payload.isEnd, let event = close() { completed.append(event) }
        return completed
    }

    /// Convenience: parses the payload first; garbage (shorter than 4 bytes) is ignored.
    public mutating func receive(timestamp: UInt32, marker: Bool, payload bytes: UnsafeRawBufferPointer, now: Int64) -> [TelephoneEvent] {
        guard let payload = TelephoneEventPayload(bytes: bytes) else { return [] }
        return receive(timestamp: timestamp, marker: marker, payload: payload, now: now)
    }

    /// Closes an event whose end packets were all lost, once ``timeoutMs`` passed.
    public mutating func poll(now: Int64) -> TelephoneEvent? {
        guard let open = current, now - open.lastPacketMs >= timeoutMs else { return nil }
        return close()
    }

    /// Forgets the open event and the last one reported: call when the SSRC changes, since
    /// a new source's timestamps bear no relation to the old one's.
    public mutating func reset() {
        current = nil
        lastClosed = nil
    }

    /// Whether an event is in progress (a key is held).
    public var activeEvent: UInt8? { current?.event }

    private mutating func close() -> TelephoneEvent? {
        guard let open = current else { return nil }
        current = nil
        lastClosed = open.timestamp
        let durationMs = Int(open.duration) * 1000 / clockRate
        if let character = TelephoneEventPayload.character(for: open.event) {
            return .digit(character, durationMs: durationMs)
        }
        return .other(event: open.event, durationMs: durationMs)
    }
}
