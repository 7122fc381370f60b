// The media path under load: `swift run -c release chorus-media-bench [--seconds S] [--sizes 10,100,500] [--no-levels]`
//
// 1. CPU per participant: one room of N participants (3 of them speaking) on one event loop, fed
//    real Opus RTP over loopback UDP by a generator on another thread, every participant sending
//    a packet every 20 ms (speakers a tone, the others encoded silence, with RFC 6464 levels unless
//    --no-levels) and receiving the room's packets. The room loop's own thread CPU time (receive, jitter buffer, decode, mix, encode,
//    send) is read with CLOCK_THREAD_CPUTIME_ID, so the generator's work is not counted.
// 2. Added delay: a speaker sends 100 ms tone bursts; a listener decodes what Chorus sends and
//    notes when each burst's first audio comes back. Delay = that moment − the burst's first
//    packet leaving the speaker, at zero network jitter (loopback). It includes the jitter
//    buffer's minimum delay, the wait for the next mixer tick and the Opus encoder look-ahead.
#if canImport(Glibc)
import Glibc
#endif
import ChorusCodecs
import ChorusConference
import ChorusRTP
import Logging
import NIOCore
import NIOPosix

func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func wallSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// `value` with `digits` decimals (no Foundation here).
func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((abs(value) * scale).rounded())
    let whole = scaled / Int(scale)
    var fraction = String(scaled % Int(scale))
    while fraction.count < digits { fraction = "0" + fraction }
    return (value < 0 ? "-" : "") + "\(whole)" + (digits > 0 ? "." + fraction : "")
}

/// Mutable state of the generator, touched only on the generator's event loop.
final class GeneratorState: @unchecked Sendable {
    var frameIndex = 0
    var tick = 0
    var burstStart: Double?
    var delays: [Double] = []
}

var arguments = CommandLine.arguments.dropFirst()
var seconds = 10.0
var sizes = [10, 100, 500]
var bursts = 100
/// Whether the phones send RFC 6464 audio levels (the room then leaves silent ones undecoded).
enum Options {
    static let levels = !CommandLine.arguments.contains("--no-levels")
}
while let argument = arguments.popFirst() {
    switch argument {
    case "--no-levels": break
    case "--seconds": seconds = Double(arguments.popFirst() ?? "") ?? seconds
    case "--sizes": sizes = (arguments.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--bursts": bursts = Int(arguments.popFirst() ?? "") ?? bursts
    case "--verbose": break
    default:
        print("usage: chorus-media-bench [--seconds S] [--sizes 10,100,500] [--bursts N] [--no-levels]")
        exit(2)
    }
}

/// Pre-encoded 20 ms Opus frames: a tone per speaker, and silence.
func encodedFrames(tone: Double?, count: Int) throws -> [[UInt8]] {
    let encoder = try OpusEncoder(configuration: OpusEncoderConfiguration(bitrate: 32_000))
    var frames: [[UInt8]] = []
    for index in 0..<count {
        let pcm = (0..<960).map { sample -> Int16 in
            guard let tone else { return 0 }
            return Int16(0.25 * 32767 * sin(2 * Double.pi * tone * Double(index * 960 + sample) / 48_000))
        }
        frames.append(try encoder.encode(pcm))
    }
    return frames
}

/// One simulated phone: a socket that sends to its leg and receives the room's packets.
final class Phone: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    var channel: (any Channel)?
    var target: SocketAddress
    let ssrc = UInt32.random(in: 0...UInt32.max)
    var sequence: UInt16 = 0
    var timestamp: UInt32 = 0
    var received = 0
    var onPacket: ((ByteBuffer) -> Void)?
    init(target: SocketAddress) { self.target = target }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += 1
        onPacket?(unwrapInboundIn(data).data)
    }

    /// Sends one frame; `level` is its RFC 6464 level (−dBov), sent when the bench uses levels.
    func send(_ payload: [UInt8], level: UInt8, marker: Bool = false) {
        guard let channel else { return }
        var rtp = RTPPacket(
            header: RTPHeader(marker: marker, payloadType: 111, sequenceNumber: sequence, timestamp: timestamp, ssrc: ssrc),
            payload: payload)
        if Options.levels { rtp.headerExtension = (0xBEDE, [1 << 4, level, 0, 0]) }
        let packet = rtp.serialized()
        sequence &+= 1
        timestamp &+= 960
        channel.write(AddressedEnvelope(remoteAddress: target, data: channel.allocator.buffer(bytes: packet)), promise: nil)
    }
}

/// Runs `body` every 20 ms on `loop` on a fixed grid (start + n × 20 ms), like a phone's sound
/// card: a late round does not push the later ones back, so the send rate does not drift.
final class Metronome: @unchecked Sendable {
    private let loop: any EventLoop
    private let body: () -> Void
    private var start = NIODeadline.now()
    private var index = 0
    private var stopped = false

    init(loop: any EventLoop, body: @escaping () -> Void) {
        self.loop = loop
        self.body = body
        loop.execute {
            self.start = .now()
            self.fire()
        }
    }

    private func fire() {
        guard !stopped else { return }
        body()
        index += 1
        loop.scheduleTask(deadline: start + .milliseconds(Int64(20 * index))) { self.fire() }
    }

    func cancel() {
        loop.execute { self.stopped = true }
    }
}

struct Scenario {
    let roomLoop: any EventLoop
    let generatorLoop: any EventLoop
    let room: ConferenceRoom
    let phones: [Phone]
    let legs: [MediaLeg]
}

func makeScenario(participants: Int, group: MultiThreadedEventLoopGroup, basePort: Int) async throws -> Scenario {
    let roomLoop = group.next()
    let generatorLoop = group.next()
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let room = ConferenceRoom(id: "bench", eventLoop: roomLoop, configuration: .init(inactivityTimeout: .seconds(3600)), logger: logger)
    var phones: [Phone] = []
    var legs: [MediaLeg] = []
    for index in 0..<participants {
        let phone = Phone(target: try SocketAddress(ipAddress: "127.0.0.1", port: basePort + 2 * index))
        let channel = try await DatagramBootstrap(group: generatorLoop)
            .channelInitializer { $0.pipeline.addHandler(phone) }
            .bind(host: "127.0.0.1", port: 0).get()
        phone.channel = channel
        let parameters = MediaLegParameters(
            payloadType: 111, clockRate: 48_000, remoteRTP: channel.localAddress, rtcpMux: true, audioLevelExtensionID: Options.levels ? 1 : nil)
        let leg = try await MediaLeg.open(on: roomLoop, host: "127.0.0.1", rtpPort: basePort + 2 * index, parameters: parameters, logger: logger).get()
        phones.append(phone)
        legs.append(leg)
    }
    let format = ParticipantAudioFormat(codec: .opus, opus: OpusEncoderConfiguration(bitrate: 32_000, complexity: 5))
    let openedLegs = legs
    try await roomLoop.submit {
        for (index, leg) in openedLegs.enumerated() { try room.add(ParticipantID(UInt64(index + 1)), leg: leg, format: format) }
        room.start()
    }.get()
    return Scenario(roomLoop: roomLoop, generatorLoop: generatorLoop, room: room, phones: phones, legs: legs)
}

func tearDown(_ scenario: Scenario) async {
    try? await scenario.roomLoop.submit {
        scenario.room.stop()
        for id in scenario.room.participantIDs { scenario.room.remove(id) }
    }.get()
    for leg in scenario.legs { try? await leg.close().get() }
    for phone in scenario.phones { try? await phone.channel?.close().get() }
}

// MARK: - CPU per participant

/// Runs one room per size and prints a Markdown table. Returns the next free base port.
func measureCPU(group: MultiThreadedEventLoopGroup, sizes: [Int], seconds: Double, speakerFrames: [[[UInt8]]], silenceFrame: [UInt8], basePort: Int) async throws -> Int {
    var basePort = basePort
    print("## CPU per participant (one room, 3 speakers, Opus 32 kbit/s complexity 5, RFC 6464 levels \(Options.levels ? "on" : "off"), \(Int(seconds)) s each)\n")
    print("| participants | room thread CPU | per participant per second | speakers mixed | tick lateness p99 | skipped ticks |")
    print("|---|---|---|---|---|---|")
    for size in sizes {
        let scenario = try await makeScenario(participants: size, group: group, basePort: basePort)
        basePort += 2 * size + 2
        let state = GeneratorState()
        let sender = Metronome(loop: scenario.generatorLoop) {
            for (index, phone) in scenario.phones.enumerated() {
                if index < 3 {
                    phone.send(speakerFrames[index][state.frameIndex % 50], level: toneLevel)
                } else {
                    phone.send(silenceFrame, level: 127)
                }
            }
            for phone in scenario.phones { phone.channel?.flush() }
            state.frameIndex += 1
        }
        try await Task.sleep(for: .seconds(1))  // warm up: buffers filled, talk detected
        let cpuStart = try await scenario.roomLoop.submit { threadCPUSeconds() }.get()
        let wallStart = wallSeconds()
        try await Task.sleep(for: .seconds(seconds))
        let (speakers, clock) = try await scenario.roomLoop.submit { (scenario.room.activeSpeakers.count, scenario.room.clockStatistics) }.get()
        if CommandLine.arguments.contains("--verbose") {
            let detail = try await scenario.roomLoop.submit { () -> String in
                let leg = scenario.legs[0]
                return "leg 0: \(leg.statistics) jitter: \(leg.jitterBuffer.statistics) target \(leg.jitterBuffer.targetDelayMs) ms"
            }.get()
            print(detail)
        }
        let cpuEnd = try await scenario.roomLoop.submit { threadCPUSeconds() }.get()
        let wall = wallSeconds() - wallStart
        sender.cancel()
        let share = (cpuEnd - cpuStart) / wall
        let perParticipantMs = (cpuEnd - cpuStart) / wall / Double(size) * 1000
        let lateness = clock.map { fixed($0.lateness.percentileMilliseconds(0.99), 1) + " ms" } ?? "-"
        print("| \(size) | \(fixed(share * 100, 1)) % of a core | \(fixed(perParticipantMs, 3)) ms | \(speakers) | \(lateness) | \(clock?.skipped ?? 0) |")
        await tearDown(scenario)
    }
    return basePort
}

// MARK: - Added delay

func measureAddedDelay(group: MultiThreadedEventLoopGroup, bursts: Int, speakerFrames: [[[UInt8]]], silenceFrame: [UInt8], basePort: Int) async throws {
    print("\n## Added delay (3 participants, 100 ms bursts, loopback, zero jitter)\n")
    let scenario = try await makeScenario(participants: 3, group: group, basePort: basePort)
    let decoder = try OpusDecoder(sampleRate: 48_000, channels: 1)
    let state = GeneratorState()
    let listener = scenario.phones[1]
    listener.onPacket = { buffer in
        guard let start = state.burstStart else { return }
        let bytes = Array(buffer.readableBytesView)
        guard let pcm = bytes.withUnsafeBytes({ raw -> [Int16]? in
            guard let view = try? RTPPacketView(bytes: raw), view.payloadType == 111 else { return nil }
            return try? decoder.decode(Array(view.payload))
        }) else { return }
        let peak = pcm.map { abs(Int($0)) }.max() ?? 0
        if peak > 1000 {
            state.delays.append((wallSeconds() - start) * 1000)
            state.burstStart = nil
        }
    }
    let toneFrames = speakerFrames[0]
    let silent = scenario.phones[2]
    let speaker = scenario.phones[0]
    // 100 ms of tone every 600 ms (the talk detector's hangover ends in between).
    let sender = Metronome(loop: scenario.generatorLoop) {
        let phase = state.tick % 30
        if phase < 5 {
            if phase == 0 { state.burstStart = wallSeconds() }
            speaker.send(toneFrames[phase], level: toneLevel, marker: phase == 0)
        } else {
            speaker.send(silenceFrame, level: 127)
        }
        listener.send(silenceFrame, level: 127)
        silent.send(silenceFrame, level: 127)
        for phone in scenario.phones { phone.channel?.flush() }
        state.tick += 1
    }
    try await Task.sleep(for: .milliseconds(Int64(bursts) * 600 + 1000))
    sender.cancel()
    let measured = try await scenario.generatorLoop.submit { state.delays.sorted() }.get()
    if CommandLine.arguments.contains("--verbose") { print(measured.map { fixed($0, 1) }.joined(separator: " ")) }
    if measured.isEmpty {
        print("no bursts came back")
    } else {
        let median = measured[measured.count / 2]
        let p99 = measured[min(measured.count - 1, Int(Double(measured.count) * 0.99))]
        print("| bursts | median | p99 | min | max |")
        print("|---|---|---|---|---|")
        print("| \(measured.count) | \(fixed(median, 1)) ms | \(fixed(p99, 1)) ms | \(fixed(measured.first!, 1)) ms | \(fixed(measured.last!, 1)) ms |")
    }
    await tearDown(scenario)
}

/// −dBov of the speakers' tones (amplitude 0.25 full scale: RMS −15 dBFS).
let toneLevel: UInt8 = 15
let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
let speakerFrames = try [440.0, 700, 1100].map { try encodedFrames(tone: $0, count: 50) }
let silenceFrame = try encodedFrames(tone: nil, count: 1)[0]
// Leg ports below the ephemeral range the generator's sockets come from.
let nextPort = try await measureCPU(
    group: group, sizes: sizes, seconds: seconds, speakerFrames: speakerFrames, silenceFrame: silenceFrame, basePort: 20_000)
try await measureAddedDelay(group: group, bursts: bursts, speakerFrames: speakerFrames, silenceFrame: silenceFrame, basePort: nextPort)
try await group.shutdownGracefully()
