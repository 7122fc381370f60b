import ChorusSIP
import ChorusTestSupport
import Foundation
import NIOCore
import NIOPosix
import XCTest

/// A room of 20 keeps working while one source floods garbage SIP and another garbage RTP, and
/// the server's memory stays flat. The `chorus` binary runs as a child process, so its memory is
/// its own. It runs only when CHORUS_SOAK_SECONDS sets its length (on this 2-core machine shared
/// with other builds, a debug server and twenty debug phones are at the edge of real time, so it
/// is not part of the default run; see the README). CHORUS_SOAK_RATE sets each
/// flood's packets per second (500), CHORUS_SOAK_FLOOD which floods run (sip,rtp),
/// CHORUS_SOAK_PHONES the room's size (20). Everything is bounded in time and on loopback.
final class SoakTests: XCTestCase {
    static var seconds: Int? { ProcessInfo.processInfo.environment["CHORUS_SOAK_SECONDS"].flatMap(Int.init) }

    /// Resident memory of a process, in KiB (Linux /proc).
    static func residentKiB(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return line.split(separator: " ").compactMap { Int($0) }.first
    }

    func testTwentyParticipantsKeepHearingEachOtherUnderGarbageFloodsAndMemoryStaysFlat() async throws {
        guard let duration = Self.seconds else { throw XCTSkip("set CHORUS_SOAK_SECONDS to run the soak (e.g. 600)") }
        let sipPort = try ChorusProcess.freePort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-soak-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("chorus.yaml")
        try """
            log:
              level: info
            sip:
              listen: [udp://127.0.0.1:\(sipPort)]
            media:
              port_min: 31000
              port_max: 31999
            storage:
              directory: \(directory.appendingPathComponent("data").path)
            """.write(to: config, atomically: true, encoding: .utf8)
        let server = ChorusProcess(["serve", "--config", config.path])
        try server.start()
        defer { server.signal(SIGKILL) }
        try await server.waitForOutput("listening on udp:127.0.0.1:\(sipPort)")
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: sipPort)

        // Three talkers with distinct tones, seventeen listeners sending encoded silence.
        let tones = ConferenceAudioCheck.tones
        var phones: [TestPhone] = []
        let count = ProcessInfo.processInfo.environment["CHORUS_SOAK_PHONES"].flatMap(Int.init) ?? 20
        for index in 0..<count {
            var options = TestPhone.Options(codec: index % 4 == 3 ? .pcmu : .opus, tone: index < 3 ? tones[index] : 2000)
            if index >= 3 { options.amplitude = 0 }
            phones.append(try await TestPhone.dial(room: "4200", server: address, options: options))
        }
        for phone in phones { phone.startSending() }
        let destination = try await phones[5].mediaDestination()
        let target = try XCTUnwrap(destination)

        let deadline = ContinuousClock.now + .seconds(duration)
        let environment = ProcessInfo.processInfo.environment
        let floods = environment["CHORUS_SOAK_FLOOD"] ?? "sip,rtp"
        // Packets per 10 ms from each flooder: CHORUS_SOAK_RATE per second (default 500).
        let perTick = max(1, (environment["CHORUS_SOAK_RATE"].flatMap(Int.init) ?? 500) / 100)
        // Garbage SIP from 127.0.0.2 (random bytes, broken requests, header floods) at Chorus's SIP
        // port, and garbage RTP from 127.0.0.3 (random bytes, some looking like RTP) at a
        // participant's port and across the media range, from a thread of their own so the
        // phones keep their timing.
        var generator = SystemRandomNumberGenerator()
        let sipJunk: [[UInt8]] = (0..<64).map { index in
            switch index % 3 {
            case 0: return (0..<Int.random(in: 1...600, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            case 1: return Array("INVITE sip:4200@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK\(index)\r\nCSeq: x\r\n\r\n".utf8)
            default: return Array(("OPTIONS sip:x SIP/2.0\r\n" + String(repeating: "X-Junk: \(index)\r\n", count: 300) + "\r\n").utf8)
            }
        }
        let rtpJunk: [[UInt8]] = (0..<64).map { index in
            var bytes = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if index % 3 == 0, bytes.count >= 12 { bytes[0] = 0x80; bytes[1] = 111 }
            return bytes
        }
        let mediaPorts = try (31000...31999).map { try SocketAddress(ipAddress: "127.0.0.1", port: $0) }
        let floodGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let sipFlood = try await GarbageFlood.start(on: floodGroup.next(), from: "127.0.0.2", packets: sipJunk, perTick: floods.contains("sip") ? perTick : 0) { _ in address }
        let rtpFlood = try await GarbageFlood.start(on: floodGroup.next(), from: "127.0.0.3", packets: rtpJunk, perTick: floods.contains("rtp") ? perTick : 0) { sent in
            sent % 2 == 0 ? target : mediaPorts[sent % mediaPorts.count]
        }

        // Check who hears whom every few seconds, and sample the server's memory.
        var samples: [Int] = []
        var checks = 0
        let interval = max(5, duration / 10)
        while ContinuousClock.now + .seconds(interval) < deadline {
            for phone in phones { await phone.clearRecording() }
            try await Task.sleep(for: .seconds(interval))
            if let rss = Self.residentKiB(of: server.process.processIdentifier) { samples.append(rss) }
            for index in [0, 1, 2, 5, 11] where index < count {
                let phone = phones[index]
                let rate = phone.options.codec.sampleRate
                let recording = Array((await phone.recording()).suffix(rate))
                let heard = index < 3 ? tones.filter { $0 != tones[index] } : tones
                let silent = index < 3 ? [tones[index]] : []
                ConferenceAudioCheck.assertHears(recording, sampleRate: rate, heard: heard, silent: silent, "phone \(index) after \(checks + 1) checks")
            }
            checks += 1
        }
        let sipSent = try await sipFlood.stop()
        let rtpSent = try await rtpFlood.stop()
        try await floodGroup.shutdownGracefully()
        XCTAssertGreaterThan(checks, 0)
        XCTAssertTrue(server.process.isRunning, "the server survived")
        print(
            "soak: \(duration) s, \(checks) checks, \(sipSent) garbage SIP (\(sipSent / max(1, duration))/s), \(rtpSent) garbage RTP (\(rtpSent / max(1, duration))/s), server RSS KiB \(samples)"
        )
        // Flat: after the first sample (everyone joined, buffers warm), memory grows by less than 16 MiB.
        if samples.count >= 2 {
            XCTAssertLessThan(samples.last! - samples[0], 16 * 1024, "server memory grew: \(samples) KiB")
        }
        for phone in phones {
            _ = try? await phone.hangUp()
            await phone.close()
        }
        server.signal(SIGTERM)
        _ = try? await server.waitForExit(timeout: .seconds(10))
    }
}

/// Sends `perTick` packets every 10 ms from a pool, round-robin, from `host`, to wherever `destination` says.
private final class GarbageFlood: @unchecked Sendable {
    private let channel: any Channel
    private var task: RepeatedTask?
    private var sent = 0

    private init(channel: any Channel) { self.channel = channel }

    static func start(
        on loop: any EventLoop, from host: String, packets: [[UInt8]], perTick: Int,
        destination: @escaping @Sendable (Int) -> SocketAddress
    ) async throws -> GarbageFlood {
        let channel = try await DatagramBootstrap(group: loop).bind(host: host, port: 0).get()
        let flood = GarbageFlood(channel: channel)
        let buffers = packets.map { channel.allocator.buffer(bytes: $0) }
        try await loop.submit {
            flood.task = loop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(10)) { _ in
                for _ in 0..<perTick {
                    let buffer = buffers[flood.sent % buffers.count]
                    channel.write(AddressedEnvelope(remoteAddress: destination(flood.sent), data: buffer), promise: nil)
                    flood.sent += 1
                }
                channel.flush()
            }
        }.get()
        return flood
    }

    /// Stops and returns how many packets went out.
    func stop() async throws -> Int {
        let count = try await channel.eventLoop.submit {
            self.task?.cancel()
            return self.sent
        }.get()
        try? await channel.close()
        return count
    }
}
