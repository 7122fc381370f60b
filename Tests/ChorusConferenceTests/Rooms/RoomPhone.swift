import ChorusCodecs
import ChorusConference
import ChorusMixer
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
    /// The tone this phone sends, if it talks; nil for a silent one.
    var frequency: Double?
    /// A silent phone that still sends a packet every 20 ms, of quiet noise (a real microphone in
    /// a quiet room), instead of nothing (DTX).
    let sendsQuietNoise: Bool
    /// The header extension identifier under which it sends RFC 6464 levels, if it does.
    let audioLevelID: UInt8?
    /// The CSRC lists of the RTP packets received, in order.
    private(set) var contributingSources: [[UInt32]] = []
    private let encoder: OpusEncoder
    private let decoder: OpusDecoder
    private var sequence: UInt16 = 0
    /// RTP timestamps follow the wall clock, as a real phone's do, so a pause between two bursts
    /// of `talk` reads as silence (DTX) and not as audio arriving late.
    private let started = ContinuousClock.now
    /// Everything decoded so far, in arrival order (loopback keeps the order).
    private(set) var recording: [Int16] = []

    static let key = (0..<30).map { UInt8($0) }

    private var noise = SeededGenerator(seed: 42)
    /// SRTP both ways, when the leg has keys (both directions use ``key``).
    private let outbound: SRTPSession?
    private let inbound: SRTPSession?

    private init(
        id: ParticipantID, leg: MediaLeg, socket: RawSIPClient, frequency: Double?, sendsQuietNoise: Bool, audioLevelID: UInt8?, srtp: Bool
    ) throws {
        self.outbound = srtp ? try SRTPSession(suite: .aesCM128HMACSHA1_80, keyingMaterial: Self.key, direction: .outbound) : nil
        self.inbound = srtp ? try SRTPSession(suite: .aesCM128HMACSHA1_80, keyingMaterial: Self.key, direction: .inbound) : nil
        self.id = id
        self.leg = leg
        self.socket = socket
        self.frequency = frequency
        self.sendsQuietNoise = sendsQuietNoise
        self.audioLevelID = audioLevelID
        self.noise = SeededGenerator(seed: id.rawValue)
        self.encoder = try OpusEncoder(sampleRate: 48_000, channels: 1)
        self.decoder = try OpusDecoder()
    }

    /// Opens a leg (on the room's loop, or `legLoop`) toward a fresh peer socket and adds it to the room.
    static func join(
        _ room: ConferenceRoom, id: UInt64, frequency: Double?, srtp: Bool = false, admission: ParticipantAdmission = .mixed,
        sendsQuietNoise: Bool = false, audioLevelID: UInt8? = nil, legLoop: (any EventLoop)? = nil
    ) async throws -> RoomPhone {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let port = try ChorusProcess.freePort(consecutive: 2)
        let socket = try await RawSIPClient.connect(.udp, to: try SocketAddress(ipAddress: "127.0.0.1", port: port))
        let keys = srtp ? MediaLegParameters.SRTPKeys(suite: .aesCM128HMACSHA1_80, inboundKeyingMaterial: key, outboundKeyingMaterial: key) : nil
        let parameters = MediaLegParameters(
            payloadType: 111, clockRate: 48_000,
            remoteRTP: try SocketAddress(ipAddress: "127.0.0.1", port: socket.localPort), rtcpMux: true, srtp: keys,
            audioLevelExtensionID: audioLevelID)
        // The leg lives on the room's loop unless the test spreads it to another.
        let leg = try await MediaLeg.open(on: legLoop ?? room.eventLoop, host: "127.0.0.1", rtpPort: port, parameters: parameters, logger: logger).get()
        let participantID = ParticipantID(id)
        try await room.eventLoop.submit {
            try room.add(participantID, leg: leg, format: ParticipantAudioFormat(codec: .opus), admission: admission)
        }.get()
        return try RoomPhone(
            id: participantID, leg: leg, socket: socket, frequency: frequency, sendsQuietNoise: sendsQuietNoise, audioLevelID: audioLevelID,
            srtp: srtp)
    }

    /// The SSRC this phone sends with.
    var ssrc: UInt32 { 0x5000 + UInt32(id.rawValue) }

    /// Sends the next 20 ms of the tone (quiet noise, or nothing, if this phone is silent), with
    /// its RFC 6464 level if it sends levels.
    func sendFrame() async throws {
        let pcm: [Int16]
        if let frequency {
            pcm = AudioAnalysis.tone(
                frequency, samples: 960, amplitude: ConferenceAudioCheck.toneAmplitude, phase: Int(sequence &+ 1) * 960)
        } else if sendsQuietNoise {
            // About -60 dBFS.
            pcm = (0..<960).map { _ in Int16.random(in: -57...57, using: &noise) }
        } else {
            return
        }
        sequence &+= 1
        let elapsed = ContinuousClock.now - started
        let frames = (elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000) / 20
        let header = RTPHeader(
            payloadType: 111, sequenceNumber: sequence, timestamp: UInt32(truncatingIfNeeded: frames * 960), ssrc: ssrc)
        var packet = RTPPacket(header: header, payload: try encoder.encode(pcm))
        if let audioLevelID {
            // RFC 6464: −dBov of the frame's RMS, in a one-byte (RFC 8285) element, padded to 4 bytes.
            let rms = AudioAnalysis.rms(pcm) / 32_768
            let level = UInt8(min(127, max(0, (-20 * log10(max(rms, 1e-7))).rounded())))
            packet.headerExtension = (0xBEDE, [audioLevelID << 4, level, 0, 0])
        }
        var bytes = packet.serialized()
        if let outbound { try outbound.protect(rtp: &bytes) }
        try await socket.sendBytes(ByteBuffer(bytes: bytes))
    }

    /// Decodes every packet received so far and returns the audio they carried.
    @discardableResult
    func collect() async throws -> [Int16] {
        var audio: [Int16] = []
        while let datagram = await socket.receive(timeout: .milliseconds(2)) {
            var bytes = Array(datagram.readableBytesView)
            // RTCP shares the port (rtcp-mux): packet types 192-223 in the second byte.
            guard bytes.count > 12, !(192...223).contains(bytes[1]) else { continue }
            if let inbound { try inbound.unprotect(srtp: &bytes) }
            guard let packet = try? RTPPacket(parsing: bytes), packet.header.payloadType == 111 else { continue }
            contributingSources.append(packet.csrcs)
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
    let heard = ToneMeter.meanBlockPower(of: frequency, in: Array(samples), blockLength: 2400)
    let sent = AudioAnalysis.tone(frequency, samples: 2400, amplitude: ConferenceAudioCheck.toneAmplitude)
    return 10 * log10(max(heard, 1e-12) / ToneMeter.meanBlockPower(of: frequency, in: sent, blockLength: 2400))
}
