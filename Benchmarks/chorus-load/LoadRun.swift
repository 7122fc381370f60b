#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NIOCore
import NIOPosix

/// One load run: join, warm up, measure, check, hang up, report.
struct LoadRun {
    let plan: LoadPlan
    let warmup: Double
    let duration: Double
    let serverPID: Int32?

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let generator = try LoadGenerator(plan: plan, loop: group.next())
        try await generator.open()
        let server = serverPID.map(ProcessProbe.init(pid:))
        let baselineRSS = server?.residentKilobytes()
        let count = plan.participantCount
        print("chorus-load: \(plan.rooms) room(s) × \(plan.participantsPerRoom) participants (\(plan.talkersPerRoom) talking each), "
            + "listeners \(plan.listenersUseDTX ? "DTX" : "noise"), \(plan.srtp ? "SDES-SRTP" : "plain RTP"), "
            + "audio levels \(plan.audioLevels ? "on" : "off"), joining at \(Int(plan.joinsPerSecond))/s")

        // Join.
        let joinStart = monotonicSeconds()
        generator.startJoining()
        let joinDeadline = joinStart + Double(count) / plan.joinsPerSecond + 35
        var joined = (answered: 0, failed: 0, withMedia: 0)
        while monotonicSeconds() < joinDeadline {
            try await Task.sleep(for: .milliseconds(100))
            joined = try await generator.inspect { generator in
                let answered = generator.participants.filter { $0.answeredAt != nil }.count
                let failed = generator.participants.filter { if case .failed = $0.state { return true } else { return false } }.count
                let withMedia = generator.participants.filter { $0.firstMediaAt != nil }.count
                return (answered, failed, withMedia)
            }
            if joined.answered + joined.failed == count && joined.withMedia == joined.answered { break }
        }
        let joins = try await generator.inspect { generator in
            generator.participants.map { ($0.requestSentAt, $0.answeredAt, $0.firstMediaAt, $0.state) }
        }
        let answerTimes = joins.compactMap { sent, answered, _, _ in answered.map { ($0 - sent) * 1000 } }.sorted()
        let mediaTimes = joins.compactMap { sent, _, media, _ in media.map { ($0 - sent) * 1000 } }.sorted()
        let lastAnswer = joins.compactMap { $0.1 }.max() ?? joinStart
        var failures: [Int: Int] = [:]
        for (_, _, _, state) in joins { if case .failed(let code) = state { failures[code, default: 0] += 1 } }
        print("\n## Joins")
        print("- answered 200 OK: \(joined.answered)/\(count)\(failures.isEmpty ? "" : ", failed: " + failures.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: ", "))")
        print("- with media flowing: \(joined.withMedia)/\(count)")
        print("- first INVITE to last 200 OK: \(fixed(lastAnswer - joinStart, 2)) s")
        print("- INVITE → 200 OK: median \(fixed(percentile(answerTimes, 50), 1)) ms, p99 \(fixed(percentile(answerTimes, 99), 1)) ms; INVITE → first RTP: median \(fixed(percentile(mediaTimes, 50), 1)) ms, p99 \(fixed(percentile(mediaTimes, 99), 1)) ms")

        // Warm up, then measure.
        try await Task.sleep(for: .milliseconds(Int64(warmup * 1000)))
        try await generator.openWindow()
        let cpuStart = server?.cpuSeconds()
        let ownCPUStart = ownCPUSeconds()
        let machineStart = MachineCPU.now()
        let wallStart = monotonicSeconds()
        try await Task.sleep(for: .milliseconds(Int64(duration * 1000)))
        let cpuEnd = server?.cpuSeconds()
        let ownCPUEnd = ownCPUSeconds()
        let machineEnd = MachineCPU.now()
        let wall = monotonicSeconds() - wallStart
        let rss = server?.residentKilobytes()
        try await generator.closeWindow()

        let report = try await generator.inspect { generator in LoadReport(generator) }
        var failed = joined.answered < count || joined.withMedia < joined.answered
        failed = report.print(duration: wall, plan: plan) || failed

        print("\n## Cost")
        if let cpuStart, let cpuEnd {
            let cores = (cpuEnd - cpuStart) / wall
            print("- Chorus CPU: \(fixed(cores, 3)) cores, \(fixed(cores * 1000 / Double(count), 3)) ms per participant per second")
        }
        if let rss {
            let baseline = baselineRSS ?? 0
            print("- Chorus resident memory: \(rss / 1024) MB (\(baseline / 1024) MB before the joins), \(fixed(Double(rss - baseline) / Double(count), 1)) KB per participant")
        }
        print("- chorus-load itself: \(fixed((ownCPUEnd - ownCPUStart) / wall, 3)) cores")
        if let machineStart, let machineEnd {
            let cpus = Double(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            let machine = MachineCPU.cores(from: machineStart, to: machineEnd, wallSeconds: wall, cpus: cpus)
            // Less than a tenth of the cores idle, or 5 % of them stolen: queues build up in the
            // kernel and in both programs' event loops, and delay and jitter grow with them.
            let saturated = machine.idle < cpus * 0.1 || machine.steal > cpus * 0.05
            print("- the machine (\(Int(cpus)) CPUs): \(fixed(machine.busy, 2)) cores busy, \(fixed(machine.steal, 2)) stolen by the hypervisor, \(fixed(machine.idle, 2)) idle"
                + (saturated ? "; near saturation or shared: delay, jitter and tick lateness here are the machine's as much as Chorus's" : ""))
        }

        // Leave.
        generator.hangUpAll()
        let hangUpDeadline = monotonicSeconds() + 10
        while monotonicSeconds() < hangUpDeadline {
            try await Task.sleep(for: .milliseconds(100))
            let open = try await generator.inspect { generator in generator.participants.filter { $0.state == .hangingUp }.count }
            if open == 0 { break }
        }
        generator.stopTicking()
        await generator.close()
        try await group.shutdownGracefully()
        print("\n\(failed ? "FAILED" : "PASSED"): real-time checks (every participant 50 ± 2.5 packets/s, loss < 0.1 %, inter-arrival p99 < \(fixed(plan.interArrivalLimitMs, 0)) ms, audio check)")
        if failed { throw ExitCode(1) }
    }
}

/// The measurements of the window, taken on the generator's loop.
struct LoadReport: Sendable {
    var rates: [Double] = []
    var lossPercents: [Double] = []
    var interArrivalP50 = 0.0
    var interArrivalP99 = 0.0
    var interArrivalMax = 0.0
    var sendLatenessP50 = 0.0
    var sendLatenessP99 = 0.0
    var delays: [Double] = []
    var checks: [(participant: Int, room: Int, talker: Int?, levels: [(talker: Int, dB: Double)])] = []
    var window = 0.0

    init(_ generator: LoadGenerator) {
        window = generator.windowEndedAt - generator.windowStartedAt
        for participant in generator.participants where participant.answeredAt != nil {
            rates.append(Double(participant.received) / window)
            lossPercents.append(participant.expected > 0 ? Double(participant.lost) / Double(participant.expected) * 100 : 100)
        }
        rates.sort()
        lossPercents.sort()
        interArrivalP50 = generator.interArrival.percentile(50)
        interArrivalP99 = generator.interArrival.percentile(99)
        interArrivalMax = generator.interArrival.maximum
        sendLatenessP50 = generator.sendLateness.percentile(50)
        sendLatenessP99 = generator.sendLateness.percentile(99)
        delays = generator.probeDelays.sorted()
        for participant in generator.participants where participant.isSampled {
            let audio = participant.recording[...]
            let levels = (0..<generator.plan.talkersPerRoom).map { talker in (talker, ToneLevel.of(LoadAudio.talkerFrequency(talker), in: audio)) }
            checks.append((participant.index, participant.room, participant.talker, levels))
        }
    }

    /// Prints the report; returns whether a real-time check failed.
    func print(duration: Double, plan: LoadPlan) -> Bool {
        var failed = false
        Swift.print("\n## Real time (\(fixed(window, 1)) s measured)")
        let outside = rates.filter { $0 < 47.5 || $0 > 52.5 }.count
        if outside > 0 { failed = true }
        Swift.print("- packets/s per participant: min \(fixed(rates.first ?? 0, 2)), median \(fixed(percentile(rates, 50), 2)), max \(fixed(rates.last ?? 0, 2)); outside 50 ± 2.5: \(outside)")
        let worstLoss = lossPercents.last ?? 0
        if worstLoss >= 0.1 { failed = true }
        let meanLoss = lossPercents.isEmpty ? 0 : lossPercents.reduce(0, +) / Double(lossPercents.count)
        Swift.print("- loss: mean \(fixed(meanLoss, 3)) %, worst participant \(fixed(worstLoss, 3)) %")
        if interArrivalP99 >= plan.interArrivalLimitMs { failed = true }
        Swift.print("- inter-arrival: median \(fixed(interArrivalP50, 1)) ms, p99 \(fixed(interArrivalP99, 1)) ms, max \(fixed(interArrivalMax, 1)) ms")
        Swift.print("- chorus-load's own sending, late by: median \(fixed(sendLatenessP50, 1)) ms, p99 \(fixed(sendLatenessP99, 1)) ms (jitter it adds itself)")
        if delays.isEmpty {
            Swift.print("- added delay: no probe bursts timed")
        } else {
            Swift.print("- added delay (talker's packet sent → mixed packet back, \(delays.count) bursts): median \(fixed(percentile(delays, 50), 1)) ms, p99 \(fixed(percentile(delays, 99), 1)) ms")
        }
        Swift.print("\n## Audio check (sampled participants; levels relative to the tone sent)")
        for check in checks {
            var verdicts: [String] = []
            for (talker, level) in check.levels {
                let own = talker == check.talker
                // The probe talker is silent two thirds of the time: its average is ~5 dB lower.
                let ok = own ? level < -30 : level > -20
                if !ok { failed = true }
                verdicts.append("\(own ? "own tone" : "talker \(talker)") \(fixed(level, 1)) dB\(ok ? "" : " ✗")")
            }
            let who = check.talker.map { "talker \($0)" } ?? "listener"
            Swift.print("- participant \(check.participant) (room \(check.room + 1), \(who)): " + verdicts.joined(separator: ", "))
        }
        return failed
    }
}

func percentile(_ sorted: [Double], _ percentile: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, max(0, Int((percentile / 100 * Double(sorted.count)).rounded(.up)) - 1))
    return sorted[index]
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "-" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((abs(value) * scale).rounded())
    let whole = scaled / Int(scale)
    var fraction = String(scaled % Int(scale))
    while fraction.count < digits { fraction = "0" + fraction }
    return (value < 0 && scaled != 0 ? "-" : "") + "\(whole)" + (digits > 0 ? "." + fraction : "")
}
