// Benchmarks for Chorus. Run: swift run -c release chorus-bench [--filter NAME] [--runs N] [--seconds S]
//
// Each benchmark is a named closure that performs `n` operations and returns a checksum (so the work
// cannot be optimised away). It is calibrated to about `seconds / runs` per run, run `runs` times on
// the current thread, and the median rate is printed. Add new benchmarks to `benchmarks` below.
import ChorusRTP
import ChorusSIP
import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct Benchmark {
    let name: String
    /// Size of one operation's input, for the MB/s column (0 when meaningless).
    let bytesPerOperation: Int
    let body: (Int) -> Int
}

// MARK: Inputs

func crlf(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    for byte in text.utf8 {
        if byte == 0x0A { out.append(0x0D) }
        out.append(byte)
    }
    return out
}

let sdp = crlf(
    """
    v=0
    o=alice 2890844526 2890844526 IN IP4 198.51.100.7
    s=Conference call
    c=IN IP4 198.51.100.7
    t=0 0
    m=audio 49170 RTP/AVP 111 0 8 101
    a=rtpmap:111 opus/48000/2
    a=fmtp:111 minptime=10;useinbandfec=1
    a=rtpmap:0 PCMU/8000
    a=rtpmap:8 PCMA/8000
    a=rtpmap:101 telephone-event/8000
    a=fmtp:101 0-16
    a=ptime:20
    a=sendrecv

    """)

let invite =
    crlf(
        """
        INVITE sip:room-42@conf.example.com SIP/2.0
        Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK776asdhds;rport
        Via: SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bK4b43c2ff8.1;received=203.0.113.5
        Max-Forwards: 70
        To: "Room 42" <sip:room-42@conf.example.com>
        From: "Alice Example" <sip:alice@example.org>;tag=1928301774
        Call-ID: a84b4c76e66710@pc33.example.org
        CSeq: 314159 INVITE
        Contact: <sip:alice@198.51.100.7:5060;transport=udp>
        Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, UPDATE
        Supported: replaces, timer, 100rel
        Session-Expires: 1800;refresher=uac
        User-Agent: TestPhone/1.0
        Content-Type: application/sdp
        Content-Length: \(sdp.count)


        """) + sdp

let optionsMessage = crlf(
    """
    OPTIONS sip:conf.example.com SIP/2.0
    Via: SIP/2.0/UDP 192.0.2.3:5060;branch=z9hG4bKka1;rport
    Max-Forwards: 70
    To: <sip:conf.example.com>
    From: <sip:monitor@example.com>;tag=ka
    Call-ID: keepalive-1@192.0.2.3
    CSeq: 1 OPTIONS
    Content-Length: 0


    """)

func parse(_ bytes: [UInt8], _ framing: SIPFraming) -> SIPMessage {
    do {
        return try SIPMessageParser.parse(bytes, framing: framing)
    } catch {
        fatalError("benchmark input does not parse: \(error.reason)")
    }
}

let parsedInvite = parse(invite, .datagram)

/// Protects and unprotects `n` 100-byte RTP packets with one pair of sessions (SDES-SRTP,
/// AES-CM-128 HMAC-SHA1-80); the sequence number advances so replay protection accepts each.
/// With several pairs, the packets go to each in turn, as a room's legs' do.
func srtpRoundTrips(_ n: Int, suite: SRTPCryptoSuite = .aesCM128HMACSHA1_80, legs: Int = 1) -> Int {
    srtpRoundTrips(n, through: srtpSessionPairs(suite: suite, count: legs))
}

/// Sessions made before the timing starts (libsrtp2 derives keys on creation, which is slow).
func srtpSessionPairs(suite: SRTPCryptoSuite, count: Int) -> [(SRTPSession, SRTPSession)] {
    let key = (0..<suite.keyingMaterialLength).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
    return (0..<count).map { _ in
        guard let outbound = try? SRTPSession(suite: suite, keyingMaterial: key, direction: .outbound),
            let inbound = try? SRTPSession(suite: suite, keyingMaterial: key, direction: .inbound)
        else { fatalError("libsrtp2 refused the test key") }
        return (outbound, inbound)
    }
}

nonisolated(unsafe) let fiveHundredSRTPLegs = srtpSessionPairs(suite: .aesCM128HMACSHA1_80, count: 500)
nonisolated(unsafe) var fiveHundredSRTPLegsSent = 0
nonisolated(unsafe) let fiveHundredGCMLegs = srtpSessionPairs(suite: .aeadAES128GCM, count: 500)
nonisolated(unsafe) var fiveHundredGCMLegsSent = 0

func srtpRoundTrips(_ n: Int, through sessions: [(SRTPSession, SRTPSession)], firstSequence: Int = 0) -> Int {
    let legs = sessions.count
    var packet = [UInt8](repeating: 0x55, count: 100 + SRTPSession.maxTrailerLength)
    var sum = 0
    for index in 0..<n {
        let (outbound, inbound) = sessions[index % legs]
        let sequence = firstSequence + index / legs
        packet[0] = 0x80
        packet[1] = 111
        packet[2] = UInt8(truncatingIfNeeded: sequence >> 8)
        packet[3] = UInt8(truncatingIfNeeded: sequence)
        packet[4] = UInt8(truncatingIfNeeded: sequence >> 16)
        packet[8...11] = [1, 2, 3, 4]
        packet.withUnsafeMutableBytes { buffer in
            guard let protected = try? outbound.protect(rtp: buffer, length: 100),
                let plain = try? inbound.unprotect(srtp: buffer, length: protected)
            else { fatalError("SRTP round trip failed") }
            sum &+= plain
        }
    }
    return sum
}

// MARK: Benchmarks

let benchmarks: [Benchmark] = [
    Benchmark(name: "parse-invite-sdp", bytesPerOperation: invite.count) { n in
        var sum = 0
        for _ in 0..<n { sum &+= parse(invite, .datagram).callID.utf8.count }
        return sum
    },
    Benchmark(name: "parse-options", bytesPerOperation: optionsMessage.count) { n in
        var sum = 0
        for _ in 0..<n { sum &+= parse(optionsMessage, .datagram).callID.utf8.count }
        return sum
    },
    Benchmark(name: "serialize-invite-sdp", bytesPerOperation: invite.count) { n in
        var sum = 0
        for _ in 0..<n { sum &+= parsedInvite.serialized().count }
        return sum
    },
    Benchmark(name: "roundtrip-invite-sdp", bytesPerOperation: invite.count) { n in
        var sum = 0
        for _ in 0..<n { sum &+= parse(parse(invite, .datagram).serialized(), .stream).callID.utf8.count }
        return sum
    },
    // One operation: protect and unprotect one 100-byte packet (a participant's packet each way).
    Benchmark(name: "srtp-roundtrip", bytesPerOperation: 100) { n in srtpRoundTrips(n) },
    Benchmark(name: "srtp-roundtrip-gcm", bytesPerOperation: 100) { n in srtpRoundTrips(n, suite: .aeadAES128GCM) },
    Benchmark(name: "srtp-roundtrip-500-legs", bytesPerOperation: 100) { n in
        // Each run goes on from the last run's sequence numbers (replay protection).
        defer { fiveHundredSRTPLegsSent += n / 500 + 1 }
        return srtpRoundTrips(n, through: fiveHundredSRTPLegs, firstSequence: fiveHundredSRTPLegsSent)
    },
    Benchmark(name: "srtp-roundtrip-gcm-500-legs", bytesPerOperation: 100) { n in
        defer { fiveHundredGCMLegsSent += n / 500 + 1 }
        return srtpRoundTrips(n, through: fiveHundredGCMLegs, firstSequence: fiveHundredGCMLegsSent)
    },
    // The same on two threads at once, each with its own sessions (as two media loops are):
    // Debian's libsrtp2 does its crypto through NSS, whose shared state the threads contend for.
    Benchmark(name: "srtp-roundtrip-2-threads", bytesPerOperation: 100) { n in
        nonisolated(unsafe) let sums = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2)
        defer { sums.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 2) { thread in sums[thread] = srtpRoundTrips(n / 2) }
        return sums[0] &+ sums[1]
    },
]

// MARK: Runner

struct Settings {
    var filter: String?
    var runs = 5
    var seconds = 1.5
}

@MainActor
func parseArguments() -> Settings {
    var options = Settings()
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let argument = arguments.next() {
        switch argument {
        case "--filter": options.filter = arguments.next()
        case "--runs": options.runs = arguments.next().flatMap(Int.init).map { max(1, $0) } ?? options.runs
        case "--seconds": options.seconds = arguments.next().flatMap(Double.init) ?? options.seconds
        case "--list":
            for benchmark in benchmarks { print(benchmark.name) }
            exit(0)
        default:
            print("usage: chorus-bench [--filter NAME] [--runs N] [--seconds S] [--list]")
            exit(argument == "--help" ? 0 : 2)
        }
    }
    return options
}

func seconds(_ duration: Duration) -> Double {
    let (s, attoseconds) = duration.components
    return Double(s) + Double(attoseconds) * 1e-18
}

@inline(never)
func consume(_ value: Int) {
    if value == 42_424_242 { print("") }
}

func measure(_ benchmark: Benchmark, runs: Int, seconds target: Double) -> (median: Double, min: Double, max: Double, iterations: Int) {
    let clock = ContinuousClock()
    // Calibrate: grow n until one batch takes a measurable time, then scale to the per-run budget.
    var n = 16
    var elapsed = 0.0
    while true {
        let start = clock.now
        consume(benchmark.body(n))
        elapsed = seconds(clock.now - start)
        if elapsed > 0.05 || n > 1 << 30 { break }
        n *= 4
    }
    let perRun = max(target / Double(runs), 0.05)
    let iterations = max(1, Int(Double(n) * perRun / max(elapsed, 1e-9)))
    var rates: [Double] = []
    for _ in 0..<runs {
        let start = clock.now
        consume(benchmark.body(iterations))
        rates.append(Double(iterations) / seconds(clock.now - start))
    }
    rates.sort()
    return (rates[rates.count / 2], rates.first!, rates.last!, iterations)
}

func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return right ? padding + text : text + padding
}

func format(_ value: Double, decimals: Int = 0) -> String {
    var scaled = value
    for _ in 0..<decimals { scaled *= 10 }
    let rounded = Int(scaled.rounded())
    if decimals == 0 { return String(rounded) }
    var divisor = 1
    for _ in 0..<decimals { divisor *= 10 }
    let fraction = String(rounded % divisor)
    return "\(rounded / divisor)." + String(repeating: "0", count: decimals - fraction.count) + fraction
}

let settings = parseArguments()
let selected = benchmarks.filter { settings.filter == nil || $0.name.contains(settings.filter!) }
if selected.isEmpty {
    print("no benchmark matches \(settings.filter ?? "")")
    exit(1)
}
#if DEBUG
    print("warning: debug build; run with -c release for meaningful numbers")
#endif
print("\(pad("benchmark", 24)) \(pad("bytes", 6, right: true)) \(pad("ops/s (median)", 15, right: true)) \(pad("min", 10, right: true)) \(pad("max", 10, right: true)) \(pad("µs/op", 8, right: true)) \(pad("MB/s", 8, right: true))")
for benchmark in selected {
    let result = measure(benchmark, runs: settings.runs, seconds: settings.seconds)
    let mbps = Double(benchmark.bytesPerOperation) * result.median / 1_000_000
    print(
        "\(pad(benchmark.name, 24)) \(pad(String(benchmark.bytesPerOperation), 6, right: true)) "
            + "\(pad(format(result.median), 15, right: true)) \(pad(format(result.min), 10, right: true)) "
            + "\(pad(format(result.max), 10, right: true)) \(pad(format(1e6 / result.median, decimals: 2), 8, right: true)) "
            + "\(pad(format(mbps, decimals: 1), 8, right: true))")
}
