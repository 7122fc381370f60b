import ChorusCodecs
import ChorusConference
import ChorusRTP
import ChorusTestSupport
import Logging
import NIOCore
import XCTest

/// A phone in a room test: a UDP peer of a real media leg that sends an Opus tone and records
/// what the room sends back.
final class RoomPhone: @unchecked Sendable {
    let id: ParticipantID
    let leg: MediaLeg
    let socket: RawSIPClient
    /// The tone this phone sends, if it talks.
    let frequency: Double?
    private let encoder: OpusEncoder
    private let decoder: OpusDecoder
    private var sequence: UInt16 = 0
    /// RTP timestamps follow the wall clock, as a real phone's do, so a pause between two bursts
    /// of `talk` reads as silence (DTX) and not as audio arriving late.
    private let started = ContinuousClock.now
    /// Everything decoded so far, in arrival order (loopback keeps the order).
    private(set) var recording: [Int16] = []

    static let key = (0..<30).map { UInt8($0) }

    private init(id: ParticipantID, leg: MediaLeg, socket: RawSIPClient, frequency: Double?) throws {
        self.id = id
        self.leg = leg
        self.socket = socket
        self.frequency = frequency
        self.encoder = try OpusEncoder(sampleRate: 48_000, channels: 1)
        self.decoder = try OpusDecoder()
    }

    /// Opens a leg on the room's loop toward a fresh peer socket and adds it to the room.
    static func join(
        _ room: ConferenceRoom, id: UInt64, frequency: Double?, srtp: Bool = false, admission: ParticipantAdmission = .mixed
    ) async throws -> RoomPhone {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let port = try ChorusProcess.freePort(consecutive: 2)
        let socket = try await RawSIPClient.connect(.udp, to: try SocketAddress(ipAddress: "127.0.0.1", port: port))
        let keys = srtp ? MediaLegParameters.SRTPKeys(suite: .aesCM128HMACSHA1_80, inboundKeyingMaterial: key, outboundKeyingMaterial: key) : nil
        let parameters = MediaLegParameters(
            payloadType: 111, clockRate: 48_000,
            remoteRTP: try SocketAddress(ipAddress: "127.0.0.1", port: socket.localPort), rtcpMux: true, srtp: keys)
        let leg = try await MediaLeg.open(on: room.eventLoop, host: "127.0.0.1", rtpPort: port, parameters: parameters, logger: logger).get()
        let participantID = ParticipantID(id)
        try await room.eventLoop.submit {
            try room.add(participantID, leg: leg, format: ParticipantAudioFormat(codec: .opus), admission: admission)
        }.get()
        return try RoomPhone(id: participantID, leg: leg, socket: socket, frequency: frequency)
    }

    /// Sends the next 20 ms of the tone (nothing if this phone is silent).
    func sendFrame() async throws {
        guard let frequency else { return }
        sequence &+= 1
        let pcm = AudioAnalysis.tone(
            frequency, samples: 960, amplitude: ConferenceAudioCheck.toneAmplitude, phase: Int(sequence) * 960)
        let elapsed = ContinuousClock.now - started
        let frames = (elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000) / 20
        let header = RTPHeader(
            payloadType: 111, sequenceNumber: sequence, timestamp: UInt32(truncatingIfNeeded: frames * 960), ssrc: 0x5000 + UInt32(id.rawValue))
        let packet = RTPPacket(header: header, payload: try encoder.encode(pcm)).serialized()
        try await socket.sendBytes(ByteBuffer(bytes: packet))
    }

    /// Decodes every packet received so far and returns the audio they carried.
    @discardableResult
    func collect() async throws -> [Int16] {
        var audio: [Int16] = []
        while let datagram = await socket.receive(timeout: .milliseconds(2)) {
            // RTCP shares the port (rtcp-mux): only Opus RTP is audio.
            guard let packet = try? RTPPacket(parsing: Array(datagram.readableBytesView)), packet.header.payloadType == 111 else { continue }
            audio += try decoder.decode(packet.payload)
        }
        recording += audio
        return audio
    }

    func leave(_ room: ConferenceRoom) async throws {
        let leg = try await room.eventLoop.submit { room.remove(self.id) }.get()
        try await leg?.close().get()
        await socket.close()
    }
}

/// Every phone sends its tone every 20 ms for `milliseconds`, on a drift-free grid.
func talk(_ phones: [RoomPhone], milliseconds: Int) async throws {
    let start = ContinuousClock.now
    for frame in 0..<(milliseconds / 20) {
        for phone in phones { try await phone.sendFrame() }
        try await Task.sleep(until: start + .milliseconds(20 * (frame + 1)))
    }
}

/// The level of `frequency` in `samples` relative to a test phone's tone, in dB.
///
/// Averaged over Hann-windowed 50 ms blocks rather than taken over the whole recording: a
/// concealed or stretched frame shifts the phase, and one long Goertzel sum would cancel itself.
func level(of frequency: Double, in samples: some Collection<Int16>) -> Double {
    let heard = blockEnergy(of: frequency, in: Array(samples))
    let reference = blockEnergy(of: frequency, in: AudioAnalysis.tone(frequency, samples: 2400, amplitude: ConferenceAudioCheck.toneAmplitude))
    return 10 * log10(max(heard, 1e-12) / reference)
}

private func blockEnergy(of frequency: Double, in samples: [Int16]) -> Double {
    let blockLength = 2400
    let coefficient = 2 * cos(2 * Double.pi * frequency / 48_000)
    var total = 0.0
    var blocks = 0
    for start in stride(from: 0, through: samples.count - blockLength, by: blockLength) {
        var previous = 0.0
        var beforePrevious = 0.0
        for index in 0..<blockLength {
            let window = 0.5 - 0.5 * cos(2 * Double.pi * Double(index) / Double(blockLength - 1))
            let current = Double(samples[start + index]) * window + coefficient * previous - beforePrevious
            beforePrevious = previous
            previous = current
        }
        total += previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
        blocks += 1
    }
    return blocks == 0 ? 0 : total / Double(blocks)
}
