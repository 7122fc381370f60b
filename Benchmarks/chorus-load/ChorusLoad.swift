#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NIOCore
import NIOPosix

/// `chorus-load`: many SIP participants in Chorus rooms, sending real-time Opus and checking what
/// comes back. See "Load testing" in the README.
@main
struct ChorusLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chorus-load",
        abstract: "Dial many participants into Chorus rooms over SIP/UDP, stream Opus at real-time pace and measure what comes back.",
        discussion: """
            Every participant sends one 20 ms Opus packet every 20 ms: talkers a tone of their own (talker k: 500 + 400k Hz), \
            listeners quiet noise at -55 dBFS, or with --dtx a packet every 400 ms. Talker 0 of the first room talks in \
            bursts, so that the delay Chorus adds can be timed. Packets carry RFC 6464 audio levels unless --no-audio-levels.

            Reported: join times, packets per second per participant, loss, inter-arrival jitter, the added delay, a \
            spectral check that sampled participants hear their room's talkers and not themselves, and with --server-pid \
            the server's CPU seconds per wall second and resident memory. Exits 1 if a real-time check fails.
            """)

    @Option(help: "Chorus's SIP address (UDP).")
    var server = "127.0.0.1:5060"

    @Option(help: "The local address to send from (SDP and Via).")
    var local = "127.0.0.1"

    @Option(help: "Number of rooms.")
    var rooms = 1

    @Option(help: "Participants per room.")
    var participants = 10

    @Option(help: "Talkers per room (sending a tone), the first participants of each room.")
    var talkers = 3

    @Option(help: "Room id (with several rooms: ID-1, ID-2, ...).")
    var room = "load"

    @Flag(help: "Listeners use Opus DTX: a packet every 400 ms instead of every 20 ms.")
    var dtx = false

    @Flag(help: "SDES-SRTP (AES_CM_128_HMAC_SHA1_80) on every call.")
    var srtp = false

    @Flag(help: "Do not offer RFC 6464 audio levels.")
    var noAudioLevels = false

    @Option(help: "INVITEs per second while joining.")
    var joinRate = 200.0

    @Option(help: "Seconds to wait after the last join before measuring.")
    var warmup = 3.0

    @Option(help: "Seconds to measure.")
    var duration = 20.0

    @Option(help: "Fail when the inter-arrival p99 reaches this many ms (the target is 30).")
    var interArrivalLimit = 30.0

    @Option(help: "Chorus's process id: report its CPU and memory from /proc.")
    var serverPid: Int32?

    mutating func run() async throws {
        guard let serverAddress = Self.parseAddress(server) else { throw ValidationError("--server wants HOST:PORT") }
        var plan = LoadPlan(server: serverAddress)
        plan.localHost = local
        plan.rooms = max(1, rooms)
        plan.participantsPerRoom = max(1, participants)
        plan.talkersPerRoom = min(max(0, talkers), plan.participantsPerRoom)
        plan.roomPrefix = room
        plan.listenersUseDTX = dtx
        plan.srtp = srtp
        plan.audioLevels = !noAudioLevels
        plan.joinsPerSecond = max(1, joinRate)
        plan.interArrivalLimitMs = interArrivalLimit
        try await LoadRun(plan: plan, warmup: warmup, duration: duration, serverPID: serverPid).run()
    }

    static func parseAddress(_ text: String) -> SocketAddress? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        let host = text[..<colon].trimmingCharacters(in: ["[", "]"])
        return try? SocketAddress(ipAddress: String(host), port: port)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(self.drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
