import XCTest
@testable import ChorusCodecs

final class G711CodecTests: XCTestCase {
    private let muLaw = G711Codec(law: .muLaw)
    private let aLaw = G711Codec(law: .aLaw)

    func testKnownCodePoints() {
        // μ-law: both zero codes decode to 0; silence encodes to 0xFF; the extremes are ±32 124.
        XCTAssertEqual(muLaw.decode(0xFF), 0)
        XCTAssertEqual(muLaw.decode(0x7F), 0)
        XCTAssertEqual(muLaw.encode(0), 0xFF)
        XCTAssertEqual(muLaw.decode(0x80), 32_124)
        XCTAssertEqual(muLaw.decode(0x00), -32_124)
        XCTAssertEqual(muLaw.encode(Int16.max), 0x80)
        XCTAssertEqual(muLaw.encode(Int16.min), 0x00)
        // A-law has no zero: its smallest codes are ±8, with the even bits inverted (0x55).
        XCTAssertEqual(aLaw.decode(0xD5), 8)
        XCTAssertEqual(aLaw.decode(0x55), -8)
        XCTAssertEqual(aLaw.encode(0), 0xD5)
        XCTAssertEqual(aLaw.encode(8), 0xD5)
        XCTAssertEqual(aLaw.encode(-8), 0x55)
        XCTAssertEqual(aLaw.decode(0xAA), 32_256)
        XCTAssertEqual(aLaw.decode(0x2A), -32_256)
        for law in G711Law.allCases {
            XCTAssertLessThanOrEqual(abs(Int(G711Codec(law: law).decode(law.silence))), 8, "\(law)")
        }
        XCTAssertEqual(G711Law.muLaw.rtpPayloadType, 0)
        XCTAssertEqual(G711Law.aLaw.rtpPayloadType, 8)
        XCTAssertEqual(G711Law.muLaw.encodingName, "PCMU")
        XCTAssertEqual(G711Law.aLaw.encodingName, "PCMA")
    }

    func testDecodeTablesAreMonotonicAndSymmetric() {
        // Ordered by magnitude, μ-law positive codes run 0xFF down to 0x80; A-law's run
        // 0x80...0xFF once the inverted even bits are undone.
        let muLawPositive = (0..<128).map { muLaw.decode(UInt8(0xFF - $0)) }
        let aLawPositive = (0..<128).map { aLaw.decode(UInt8(0x80 | $0) ^ 0x55) }
        for (name, table) in [("μ-law", muLawPositive), ("A-law", aLawPositive)] {
            for index in 1..<table.count {
                XCTAssertGreaterThan(table[index], table[index - 1], "\(name) step \(index)")
            }
        }
        for code in 0...255 {
            let byte = UInt8(code)
            // Flipping the sign bit negates the value.
            XCTAssertEqual(muLaw.decode(byte), -muLaw.decode(byte ^ 0x80), "μ-law \(code)")
            XCTAssertEqual(aLaw.decode(byte), -aLaw.decode(byte ^ 0x80), "A-law \(code)")
        }
    }

    func testEncodingIsMonotonicAndDecodedValuesAreFixedPoints() {
        for law in G711Law.allCases {
            let codec = G711Codec(law: law)
            var previous = Int16.min
            for value in Int(Int16.min)...Int(Int16.max) {
                let decoded = codec.decode(codec.encode(Int16(value)))
                XCTAssertGreaterThanOrEqual(decoded, previous, "\(law) at \(value)")
                previous = decoded
            }
            for code in 0...255 {
                let value = codec.decode(UInt8(code))
                XCTAssertEqual(codec.decode(codec.encode(value)), value, "\(law) code \(code)")
            }
        }
    }

    func testSineRoundTripStaysWithinQuantisationBound() {
        // -10 dBFS, 1 kHz, one second: G.711's SNR for such a tone is about 38 dB.
        let amplitude = 32_767 * pow(10, -10.0 / 20)
        let tone = AudioTestTones.sine(frequency: 1_000, amplitude: amplitude, sampleRate: 8_000, count: 8_000)
        for law in G711Law.allCases {
            let codec = G711Codec(law: law)
            let decoded = codec.decode(codec.encode(tone))
            XCTAssertEqual(decoded.count, tone.count)
            var noise = 0.0
            for (original, restored) in zip(tone, decoded) {
                let error = Double(original) - Double(restored)
                noise += error * error
                // Each segment's step is 1/16 of its lower edge, so the error stays within
                // half a step: never more than 1/32 of the magnitude (plus the smallest step).
                XCTAssertLessThanOrEqual(abs(error), abs(Double(original)) / 32 + 16, "\(law)")
            }
            let snr = 10 * log10(AudioTestTones.energy(tone) / noise)
            XCTAssertGreaterThan(snr, 30, "\(law) SNR \(snr) dB")
        }
    }

    func testBufferAndArrayAPIsAgree() {
        let tone = AudioTestTones.sine(frequency: 440, amplitude: 20_000, sampleRate: 8_000, count: 160)
        for law in G711Law.allCases {
            let codec = G711Codec(law: law)
            var bytes = [UInt8](repeating: 0, count: 200)
            tone.withUnsafeBufferPointer { input in
                bytes.withUnsafeMutableBufferPointer { codec.encode(input, into: $0) }
            }
            XCTAssertEqual(Array(bytes.prefix(160)), codec.encode(tone))
            XCTAssertEqual(bytes.suffix(40), [UInt8](repeating: 0, count: 40), "wrote past the input length")
            XCTAssertEqual(codec.encode(tone), tone.map { codec.encode($0) })

            var samples = [Int16](repeating: 0, count: 160)
            bytes.prefix(160).withUnsafeBufferPointer { input in
                samples.withUnsafeMutableBufferPointer { codec.decode(input, into: $0) }
            }
            XCTAssertEqual(samples, codec.decode(Array(bytes.prefix(160))))
            XCTAssertEqual(codec.encode([]), [])
            XCTAssertEqual(codec.decode([]), [])
        }
    }
}
