import ChorusCodecs
import ChorusRTP
import NIOCore

/// One simulated phone: its call, the stream it sends and what it measures of the stream it gets.
/// Lives on the load generator's single event loop.
final class LoadParticipant {
    enum CallState: Equatable {
        case idle
        case inviting
        case answered
        case failed(Int)
        case hangingUp
        case ended
    }

    let index: Int
    let room: Int
    /// Which talker of its room this is (its tone), or nil for a listener.
    let talker: Int?
    let roomID: String
    let callID: String
    let fromTag: String
    let user: String

    // Signalling.
    var state = CallState.idle
    var branch = ""
    var cseq: UInt32 = 1
    var toTag: String?
    var remoteTarget: String?
    var routeSet: [String] = []
    var requestSentAt = 0.0
    var retransmitInterval = 0.5
    var nextRetransmit = 0.0
    var gotProvisional = false
    var answeredAt: Double?

    // Sending.
    /// Which of the generator's media sockets this participant sends and receives on.
    let socket: Int
    var destination: SocketAddress?
    let ssrc: UInt32
    var sequence: UInt16
    var timestamp: UInt32
    var sentFrames = 0
    let localKey: [UInt8]
    var outbound: SRTPSession?
    var inbound: SRTPSession?

    // Receiving (counters restart with the measurement window).
    var firstMediaAt: Double?
    var received = 0
    var windowFirstSequence: Int64?
    var highestSequence: Int64 = 0
    var lastExtendedSequence: Int64 = 0
    var lastSequence: UInt16 = 0
    var lastArrival: Double?
    /// Audio decoded for the spectral check (sampled participants only), at most 20 s of it.
    var decoder: OpusDecoder?
    var recording: [Int16] = []
    static let recordingLimit = 48_000 * 20

    init(index: Int, room: Int, talker: Int?, roomID: String, socket: Int, srtp: Bool) {
        self.index = index
        self.room = room
        self.talker = talker
        self.roomID = roomID
        self.socket = socket
        self.user = "load\(index)"
        self.callID = "load-\(index)-\(UInt64.random(in: 0...UInt64.max))"
        self.fromTag = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        self.ssrc = UInt32.random(in: 1...UInt32.max)
        self.sequence = UInt16.random(in: 0...UInt16.max)
        self.timestamp = UInt32.random(in: 0...UInt32.max)
        self.localKey = srtp ? (0..<30).map { _ in UInt8.random(in: 0...255) } : []
    }

    var isTalker: Bool { talker != nil }
    var isSampled: Bool { decoder != nil }

    /// Counts a packet of the participant's stream; returns the inter-arrival time in ms, if any.
    func count(sequence: UInt16, at now: Double, inWindow: Bool) -> Double? {
        if firstMediaAt == nil { firstMediaAt = now }
        defer {
            lastArrival = now
            lastSequence = sequence
        }
        let interval = lastArrival.map { (now - $0) * 1000 }
        guard inWindow else { return nil }
        received += 1
        if windowFirstSequence == nil {
            lastExtendedSequence = Int64(sequence) + (1 << 20)
            windowFirstSequence = lastExtendedSequence
            highestSequence = lastExtendedSequence
        } else {
            lastExtendedSequence += Int64(Int16(bitPattern: sequence &- lastSequence))
            highestSequence = max(highestSequence, lastExtendedSequence)
        }
        return interval
    }

    /// Packets the participant should have got in the window and did not.
    var lost: Int {
        guard let first = windowFirstSequence else { return 0 }
        return max(0, Int(highestSequence - first + 1) - received)
    }

    var expected: Int {
        guard let first = windowFirstSequence else { return 0 }
        return Int(highestSequence - first + 1)
    }
}
