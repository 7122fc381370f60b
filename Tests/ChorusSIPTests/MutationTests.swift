import Foundation
import NIOCore
import XCTest

@testable import ChorusSIP

/// Seeded mutation testing over the corpus: the parser and framer must never crash, and whatever
/// parses must round-trip (parse → serialize → parse gives an equal message).
final class MutationTests: XCTestCase {
    static let interesting: [UInt8] = Array("\r\n \t:;,\"<>@[]\\=?&%/*".utf8) + [0, 0x7F, 0x80, 0xC3, 0xFF]

    func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        let rounds = Int.random(in: 0..<4, using: &rng) == 0 ? 3 : 1
        for _ in 0..<rounds {
            let count = bytes.count
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where count > 0:  // replace a byte
                bytes[Int.random(in: 0..<count, using: &rng)] =
                    Bool.random(using: &rng) ? Self.interesting.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            case 1:  // insert a byte
                let at = Int.random(in: 0...count, using: &rng)
                bytes.insert(Self.interesting.randomElement(using: &rng)!, at: at)
            case 2 where count > 0:  // delete a short range
                let at = Int.random(in: 0..<count, using: &rng)
                bytes.removeSubrange(at..<min(count, at + Int.random(in: 1...8, using: &rng)))
            case 3 where count > 0 && Bool.random(using: &rng):  // truncate
                bytes.removeSubrange(Int.random(in: 0..<count, using: &rng)...)
            case 4, 5:  // duplicate or drop a whole line
                let lineStarts = [0] + bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }.filter { $0 < count }
                guard lineStarts.count > 2 else { break }
                let i = Int.random(in: 1..<(lineStarts.count - 1), using: &rng)
                let line = Array(bytes[lineStarts[i]..<lineStarts[i + 1]])
                if Bool.random(using: &rng) {
                    bytes.insert(contentsOf: line, at: lineStarts[Int.random(in: 1..<lineStarts.count, using: &rng)])
                } else {
                    bytes.removeSubrange(lineStarts[i]..<lineStarts[i + 1])
                }
            default:  // flip a bit
                if count > 0 { bytes[Int.random(in: 0..<count, using: &rng)] ^= 1 << UInt8.random(in: 0...7, using: &rng) }
            }
        }
        return bytes
    }

    func testMutatedCorpusNeverCrashesAndRoundTrips() {
        let valid = Fixtures.names("valid").map { Fixtures.bytes("valid", $0) }
        let invalid = Fixtures.names("invalid").map { Fixtures.bytes("invalid", $0) }.filter { !$0.isEmpty }
        XCTAssertFalse(valid.isEmpty)
        // CHORUS_MUTATION_SEED / CHORUS_MUTATION_ITERATIONS explore further; the default run is fixed.
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["CHORUS_MUTATION_SEED"].flatMap { UInt64($0) } ?? 0x5EED_C0FF_EE00_0001
        let iterations = environment["CHORUS_MUTATION_ITERATIONS"].flatMap { Int($0) } ?? 20_000
        var rng = SplitMix64(seed: seed)
        var parsed = 0
        var failures = 0
        let clock = ContinuousClock()
        let started = clock.now
        for iteration in 0..<iterations {
            // Mostly valid messages with one or two small mutations, so that many still parse.
            let source = Int.random(in: 0..<5, using: &rng) == 0 ? invalid : valid
            let input = mutate(source[Int.random(in: 0..<source.count, using: &rng)], &rng)
            let framing: SIPFraming = iteration % 4 == 0 ? .stream : .datagram
            if let error = parseError(input, framing: framing) {
                XCTAssertFalse(error.reason.isEmpty)
                if let salvage = error.salvage {
                    // A 400 built from any salvage must itself parse.
                    let answer = salvage.badRequestResponse(reason: error.reason, toTag: "t")
                    if parseError(answer) != nil, failures < 5 {
                        failures += 1
                        XCTFail("400 for mutated input does not parse: \(String(decoding: answer, as: UTF8.self))")
                    }
                }
            } else {
                parsed += 1
                checkRoundTrip(input, framing: framing, &failures)
            }
            // The framer must not crash on the same bytes either.
            var buffer = ByteBufferAllocator().buffer(capacity: input.count)
            buffer.writeBytes(input)
            while let next = try? SIPStreamFramer.nextMessage(from: &buffer) {
                _ = try? SIPMessageParser.parse(next, framing: .stream)
            }
            if failures >= 5 { break }
        }
        let elapsed = clock.now - started
        XCTAssertGreaterThan(parsed, iterations / 20, "mutations too destructive to exercise the happy path")
        print("mutation test: \(iterations) inputs, \(parsed) parsed, \(elapsed)")
    }

    func checkRoundTrip(_ input: [UInt8], framing: SIPFraming, _ failures: inout Int) {
        guard let first = try? SIPMessageParser.parse(input, framing: framing) else { return }
        let wire = first.serialized()
        do {
            let second = try SIPMessageParser.parse(wire, framing: .stream)
            if second != first {
                failures += 1
                XCTFail(
                    "round trip differs\ninput: \(String(decoding: input, as: UTF8.self).debugDescription)\n"
                        + "first: \(first)\nsecond: \(second)")
            }
        } catch {
            failures += 1
            XCTFail(
                "reserialized message fails (\(error.reason))\ninput: \(String(decoding: input, as: UTF8.self).debugDescription)\n"
                    + "wire: \(String(decoding: wire, as: UTF8.self).debugDescription)")
        }
    }
}
