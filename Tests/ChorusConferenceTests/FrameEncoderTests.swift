import ChorusCodecs
import ChorusTestSupport
import XCTest

@testable import ChorusConference

/// The switch between a shared stream and a listener's own (they start or stop talking): what
/// their phone decodes must not jump.
final class FrameEncoderTests: XCTestCase {
    private let opus = ParticipantAudioFormat(codec: .opus)

    /// Frame `index` of what a listener hears: another talker (a voiced 220 Hz tone), plus their
    /// own voice (500 Hz) in the shared mix while they talk (frames 45…124).
    private func frames(count: Int) -> (mix: [[Int16]], minusOwn: [[Int16]]) {
        var mix: [[Int16]] = []
        var minusOwn: [[Int16]] = []
        for frame in 0..<count {
            var withOwn = [Int16](repeating: 0, count: 960)
            var without = [Int16](repeating: 0, count: 960)
            for index in 0..<960 {
                let time = Double(frame * 960 + index) / 48_000
                let other = 6_000 * sin(2 * .pi * 220 * time) * (0.5 + 0.5 * sin(2 * .pi * 4 * time)) + 2_000 * sin(2 * .pi * 1_800 * time)
                let own = (45..<124).contains(frame) ? 7_000 * sin(2 * .pi * 500 * time) * (0.6 + 0.4 * sin(2 * .pi * 5 * time)) : 0
                withOwn[index] = Int16(other + own)
                without[index] = Int16(other)
            }
            mix.append(withOwn)
            minusOwn.append(without)
        }
        return (mix, minusOwn)
    }

    private func encode(_ encoder: FrameEncoder, _ frame: [Int16]) -> [[UInt8]] {
        frame.withUnsafeBufferPointer { encoder.encode($0) }
        var packets: [[UInt8]] = []
        encoder.forEachPacket { payload, _ in packets.append(Array(payload)) }
        return packets
    }

    func testAListenerWhoStartsTalkingHearsExactlyWhatAnUnbrokenStreamWouldHaveCarried() throws {
        let (mix, minusOwn) = frames(count: 200)
        let start = 60, end = 140
        // What the phone should ideally get: one encoder that was theirs all along.
        let ideal = try FrameEncoder(format: opus)
        let idealDecoder = try OpusDecoder()
        // What Chorus sends: the shared mix, their own N-1 mix from `start` to `end` (the talker
        // hears the room minus themselves), the shared mix again after.
        let shared = try FrameEncoder(format: opus, isShared: true)
        let own = try FrameEncoder(format: opus)
        let fresh = try FrameEncoder(format: opus)
        let phone = try OpusDecoder()
        let phoneWithoutContinuation = try OpusDecoder()
        var switchIn: [Double] = []
        var switchInFresh: [Double] = []
        var switchBack: [Double] = []
        for frame in 0..<200 {
            let talking = (start..<end).contains(frame)
            let idealPCM = try idealDecoder.decode(encode(ideal, talking ? minusOwn[frame] : mix[frame])[0])
            // As in the room: the own encoder takes over before the shared one encodes this tick.
            if frame == start { own.continueStream(of: shared) }
            let sharedPacket = encode(shared, mix[frame])[0]
            let ownPacket = talking ? encode(own, minusOwn[frame])[0] : nil
            let freshPacket = talking ? encode(fresh, minusOwn[frame])[0] : nil
            let heard = try phone.decode(ownPacket ?? sharedPacket)
            let heardWithoutContinuation = try phoneWithoutContinuation.decode(freshPacket ?? sharedPacket)
            if (start..<start + 3).contains(frame) {
                switchIn.append(AudioAnalysis.signalToDifference(idealPCM, heard))
                switchInFresh.append(AudioAnalysis.signalToDifference(idealPCM, heardWithoutContinuation))
            }
            if (end..<end + 3).contains(frame) { switchBack.append(AudioAnalysis.signalToDifference(idealPCM, heard)) }
        }
        print("shared → own stream, SNR against an unbroken stream, first 3 frames: \(switchIn.map { Int($0) }) dB with the state taken over, \(switchInFresh.map { Int($0) }) dB with a fresh encoder")
        print("own → shared stream, same: \(switchBack.map { Int($0) }) dB")
        // Taking over the shared encoder's state makes the switch bit-exact.
        XCTAssertTrue(switchIn.allSatisfy { $0 > 150 }, "\(switchIn)")
        XCTAssertLessThan(switchInFresh[0], 10, "a fresh encoder's first frame is far off")
        // Back on the shared stream the phone's decoder state came from another encoder; after a
        // talker's hangover the two signals are nearly equal, so the step is small.
        XCTAssertTrue(switchBack.allSatisfy { $0 > 15 }, "\(switchBack)")
    }

    func testAG711StreamContinuesWithTheSharedEncodersPartPacketAndFilterHistory() throws {
        let format = ParticipantAudioFormat(codec: .pcmu, packetMilliseconds: 40)
        let (mix, _) = frames(count: 30)
        let shared = try FrameEncoder(format: format, isShared: true)
        let own = try FrameEncoder(format: format)
        var sharedPackets: [[UInt8]] = []
        var ownPackets: [[UInt8]] = []
        for frame in 0..<30 {
            // The switch comes after an odd number of frames: half a 40 ms packet is waiting.
            if frame == 11 { own.continueStream(of: shared) }
            let packets = encode(shared, mix[frame])
            if frame >= 11 {
                sharedPackets += packets
                ownPackets += encode(own, mix[frame])
            }
        }
        XCTAssertEqual(ownPackets.count, 10)
        XCTAssertEqual(ownPackets, sharedPackets, "the same input gives the same bytes: nothing lost, nothing doubled")
    }

    func testTakingOverFromAForwardedStreamPrimedWithTheLastFrameIsSmooth() throws {
        // P hears Q alone (Q's packets forwarded as they came) until a third talker R joins at
        // `switchFrame`; from then on P's own encoder sends Q + R.
        let switchFrame = 60
        let (mix, minusOwn) = frames(count: 100)
        let talkerQ = try OpusEncoder(configuration: OpusEncoderConfiguration(bitrate: 32_000, complexity: 5))
        let chorusDecodesQ = try OpusDecoder()
        let primed = try FrameEncoder(format: opus)
        let unprimed = try FrameEncoder(format: opus)
        // The reference: one encoder that encoded what P hears from the start, without a break.
        let unbroken = try FrameEncoder(format: opus)
        let unbrokenDecoder = try OpusDecoder()
        let phone = try OpusDecoder()
        let phoneWithoutPriming = try OpusDecoder()
        var previousQ = [Int16](repeating: 0, count: 960)
        var primedSNR: [Double] = []
        var unprimedSNR: [Double] = []
        for frame in 0..<100 {
            // Q talks (the 220 Hz voice); R's voice (the 500 Hz one) joins P's mix at the switch.
            let packetQ = try talkerQ.encode(minusOwn[frame])
            let decodedQ = try chorusDecodesQ.decode(packetQ)
            var heardPCM = decodedQ
            if frame >= switchFrame {
                for index in 0..<960 { heardPCM[index] = Int16(clamping: Int(decodedQ[index]) + Int(mix[frame][index]) - Int(minusOwn[frame][index])) }
            }
            let reference = try unbrokenDecoder.decode(encode(unbroken, heardPCM)[0])
            if frame < switchFrame {
                _ = try phone.decode(packetQ)
                _ = try phoneWithoutPriming.decode(packetQ)
            } else {
                if frame == switchFrame { previousQ.withUnsafeBufferPointer { primed.prime(with: $0) } }
                let heard = try phone.decode(encode(primed, heardPCM)[0])
                let heardUnprimed = try phoneWithoutPriming.decode(encode(unprimed, heardPCM)[0])
                primedSNR.append(AudioAnalysis.signalToDifference(reference, heard))
                unprimedSNR.append(AudioAnalysis.signalToDifference(reference, heardUnprimed))
            }
            previousQ = decodedQ
        }
        let steady = primedSNR[20..<30].reduce(0, +) / 10
        print("forwarded → own stream, SNR against an unbroken stream, first 3 frames: \(primedSNR.prefix(3).map { Int($0) }) dB primed, \(unprimedSNR.prefix(3).map { Int($0) }) dB from a fresh encoder; \(Int(steady)) dB once settled")
        // The forwarded stream carried one encoding's delay, the own stream two: the switch repeats the
        // encoder's 6.5 ms look-ahead, which costs the first frame some SNR whatever is done. Priming
        // (with prediction off for that frame) does better than a fresh encoder and settles at once.
        XCTAssertGreaterThan(primedSNR[0], unprimedSNR[0])
        XCTAssertGreaterThan(primedSNR[1], steady - 3, "\(primedSNR)")
        XCTAssertGreaterThan(primedSNR[2], steady - 3, "\(primedSNR)")
    }
}
