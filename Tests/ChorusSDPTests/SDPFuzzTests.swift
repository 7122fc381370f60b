import XCTest

@testable import ChorusSDP

/// SplitMix64: a tiny seeded generator, so every fuzz run sees the same inputs.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

final class SDPFuzzTests: XCTestCase {
    private func seeds() -> [[UInt8]] {
        let crypto = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 \(inlineKey(30))\r\na=crypto:2 AEAD_AES_256_GCM \(inlineKey(44))|2^20|1:4\r\n"
        let texts = [
            "v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 111 0 8 101\r\n"
                + "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1;maxplaybackrate=16000\r\na=rtpmap:101 telephone-event/8000\r\n"
                + "a=fmtp:101 0-16\r\na=ptime:40\r\na=maxptime:60\r\na=rtcp:4001 IN IP4 192.0.2.1\r\na=sendonly\r\n",
            "v=0\no=alice 2890844526 2890844526 IN IP6 2001:db8::1\ns=Grüße\ni=info\nu=http://x\ne=a@b\nc=IN IP6 ::\nb=AS:64\nt=0 0\nr=7d 1h\n"
                + "a=recvonly\nm=audio 5000/2 RTP/SAVP 0 18\nc=IN IP4 10.0.0.1/127\nb=TIAS:64000\nk=clear:x\n" + crypto
                + "a=rtcp-mux\nm=video 6000 RTP/AVPF 96\na=rtpmap:96 VP8/90000\n",
            "v=0\r\no=- 7 7 IN IP4 10.1.1.1\r\ns=\r\nt=0 0\r\nm=audio 0 RTP/AVP 8\r\nm=audio 7000 RTP/AVP 8 0\r\n"
                + "c=IN IP4 10.1.1.1\r\n" + crypto + "a=inactive\r\nm=application 9 UDP/BFCP *\r\n",
        ]
        var seeds = texts.map { Array($0.utf8) }
        // Keys other than countingBytes, so answering this offer with the test capabilities draws a different key.
        let capabilities = LocalMediaCapabilities(srtpPolicy: .required, randomBytes: { [UInt8](repeating: 0x3C, count: $0) })
        let (offer, _) = OfferAnswer.makeOffer(transport: testTransport, capabilities: capabilities, session: testSession)
        seeds.append(Array(offer.serialized().utf8))
        return seeds
    }

    private func mutate(_ input: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            guard !bytes.isEmpty else { break }
            switch Int.random(in: 0..<7, using: &random) {
            case 0:  // flip a bit
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
            case 1:  // replace a byte with anything
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            case 2:  // replace a byte with an interesting character
                let interesting = Array(" :/=;|\r\n0a-9.".utf8)
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = interesting.randomElement(using: &random)!
            case 3:  // truncate
                bytes.removeLast(Int.random(in: 0...bytes.count, using: &random))
            default:  // duplicate, delete or swap whole lines
                var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                let index = Int.random(in: 0..<lines.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: lines.insert(lines[index], at: Int.random(in: 0...lines.count, using: &random))
                case 1: lines.remove(at: index)
                default: lines.swapAt(index, Int.random(in: 0..<lines.count, using: &random))
                }
                bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
            }
        }
        return bytes
    }

    func testMutatedDescriptionsNeverCrashAndRoundTripStably() throws {
        var random = SplitMix64(seed: 0x5EED_C0DE)
        let seeds = self.seeds()
        var parsed = 0
        var answered = 0
        for iteration in 0..<20_000 {
            let input = self.mutate(seeds[iteration % seeds.count], using: &random)
            guard let description = try? SessionDescription(parsing: input) else { continue }
            parsed += 1
            let text = description.serialized()
            let reparsed: SessionDescription
            do {
                reparsed = try SessionDescription(parsing: text)
            } catch {
                XCTFail("serialized output does not parse (\(error)):\n\(text)")
                return
            }
            XCTAssertEqual(reparsed, description, "unstable round trip for:\n\(String(decoding: input, as: UTF8.self))")
            XCTAssertEqual(reparsed.serialized(), text)
            guard reparsed == description else { return }

            // Negotiation must not crash either, and what it produces must be valid SDP with as many m-lines.
            do {
                let result = try answerOffer(description)
                answered += 1
                let answer = try SessionDescription(parsing: result.answer.serialized())
                XCTAssertEqual(answer.media.count, description.media.count)
            } catch let failure as NegotiationFailure {
                // Warnings go into a quoted SIP header: printable ASCII without quotes or backslashes.
                XCTAssertTrue([400, 488].contains(failure.statusCode))
                XCTAssertTrue(
                    failure.warning.unicodeScalars.allSatisfy { (0x20..<0x7F).contains($0.value) && $0 != "\"" && $0 != "\\" },
                    failure.warning)
            }
        }
        // The mutations must leave enough inputs parseable for the round-trip check to mean something.
        XCTAssertGreaterThan(parsed, 2_000)
        XCTAssertGreaterThan(answered, 500)
    }

    func testRandomBytesNeverCrash() {
        var random = SplitMix64(seed: 42)
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0..<300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            _ = try? SessionDescription(parsing: bytes)
            _ = try? SessionDescription(parsing: Array("v=0\n".utf8) + bytes)
            _ = SDPCryptoAttribute(attributeValue: String(decoding: bytes, as: UTF8.self))
            _ = Base64.decode(String(decoding: bytes, as: UTF8.self))
        }
    }
}
