import XCTest
@testable import ChorusCodecs

final class AudioResamplerTests: XCTestCase {
    private let amplitude = 10_000.0

    /// Runs `input` through `resampler` in frames of `frameSize`, checking each frame's output length.
    private func processInFrames(
        _ input: [Int16], frameSize: Int, expectedOutput: Int, resampler: AudioResampler,
        file: StaticString = #filePath, line: UInt = #line
    ) -> [Int16] {
        var output: [Int16] = []
        for start in stride(from: 0, to: input.count, by: frameSize) {
            let produced = resampler.process(Array(input[start..<start + frameSize]))
            XCTAssertEqual(produced.count, expectedOutput, "frame at \(start)", file: file, line: line)
            output += produced
        }
        return output
    }

    // MARK: 8 → 48 kHz

    func testUpsamplingKeepsTheToneAndSuppressesImages() throws {
        let input = AudioTestTones.sine(frequency: 1_000, amplitude: amplitude, sampleRate: 8_000, count: 8_000)
        let resampler = try AudioResampler(inputRate: 8_000, outputRate: 48_000)
        let output = processInFrames(input, frameSize: 160, expectedOutput: 960, resampler: resampler)
        XCTAssertEqual(output.count, 48_000)

        let levels = imageLevels(output)
        XCTAssertEqual(levels.tone, 0, accuracy: 1, "1 kHz level in dB relative to the input")
        XCTAssertLessThan(levels.image7k, -40)
        XCTAssertLessThan(levels.image9k, -40)

        // The same check rejects plain sample repetition, which leaves images near -17 dB.
        let repeated = input.flatMap { [Int16](repeating: $0, count: 6) }
        let naive = imageLevels(repeated)
        XCTAssertGreaterThan(naive.image7k, -40)
        XCTAssertGreaterThan(naive.image9k, -40)
    }

    /// Levels (dB relative to `amplitude`) at 1, 7 and 9 kHz of a 48 kHz signal, after the start-up.
    private func imageLevels(_ output: [Int16]) -> (tone: Double, image7k: Double, image9k: Double) {
        // 28 800 samples: a whole number of cycles of all three frequencies.
        let window = output[4_800..<33_600]
        func level(_ frequency: Double) -> Double {
            AudioTestTones.decibels(
                AudioTestTones.amplitude(of: window, at: frequency, sampleRate: 48_000), relativeTo: amplitude)
        }
        return (level(1_000), level(7_000), level(9_000))
    }

    // MARK: 48 → 8 kHz

    func testDownsamplingPassesInBandToneAndRejectsAliases() throws {
        let passed = try downsampledLevel(of: 1_000, measuredAt: 1_000)
        XCTAssertEqual(passed, 0, accuracy: 1, "1 kHz level in dB")
        // Without a filter a 6 kHz tone would fold to 8 − 6 = 2 kHz at full strength.
        let aliased = try downsampledLevel(of: 6_000, measuredAt: 2_000)
        XCTAssertLessThan(aliased, -40, "6 kHz alias at 2 kHz")
    }

    private func downsampledLevel(of frequency: Double, measuredAt measured: Double) throws -> Double {
        let input = AudioTestTones.sine(frequency: frequency, amplitude: amplitude, sampleRate: 48_000, count: 48_000)
        let resampler = try AudioResampler(inputRate: 48_000, outputRate: 8_000)
        let output = processInFrames(input, frameSize: 960, expectedOutput: 160, resampler: resampler)
        XCTAssertEqual(output.count, 8_000)
        let window = output[800..<7_200]
        return AudioTestTones.decibels(
            AudioTestTones.amplitude(of: window, at: measured, sampleRate: 8_000), relativeTo: amplitude)
    }

    // MARK: Framing and delay

    func testFramesJoinExactlyLikeOneShotProcessing() throws {
        // A chirp-like mix, so that any gap or repeated sample at a frame edge would show.
        let input = zip(
            AudioTestTones.sine(frequency: 440, amplitude: 8_000, sampleRate: 8_000, count: 16_000),
            AudioTestTones.sine(frequency: 2_950, amplitude: 6_000, sampleRate: 8_000, count: 16_000)
        ).map { $0 &+ $1 }
        let framed = try AudioResampler(inputRate: 8_000, outputRate: 48_000)
        let framedOutput = processInFrames(input, frameSize: 160, expectedOutput: 960, resampler: framed)
        let oneShotOutput = try AudioResampler(inputRate: 8_000, outputRate: 48_000).process(input)
        XCTAssertEqual(framedOutput.count, oneShotOutput.count)
        let largestDifference = zip(framedOutput, oneShotOutput).map { abs(Int($0) - Int($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(largestDifference, 1)
    }

    func testLatencyIsWhereAnImpulseComesOut() throws {
        // Quality 5 delays by 5 ms either way, as AudioResampler's documentation says.
        for (inputRate, outputRate, latency) in [(8_000, 48_000, 240), (48_000, 8_000, 40)] {
            let resampler = try AudioResampler(inputRate: inputRate, outputRate: outputRate)
            let ratio = outputRate / inputRate
            XCTAssertEqual(resampler.latencySamples, latency)
            XCTAssertEqual(resampler.inputLatencySamples, latency * inputRate / outputRate)
            guard ratio >= 1 else { continue }
            var input = [Int16](repeating: 0, count: 160)
            input[40] = 20_000
            let output = resampler.process(input)
            let peak = output.indices.max { abs(Int(output[$0])) < abs(Int(output[$1])) }!
            XCTAssertEqual(peak, 40 * ratio + resampler.latencySamples, accuracy: 1)
        }
    }

    func testResetStartsOverLikeANewResampler() throws {
        let input = AudioTestTones.sine(frequency: 700, amplitude: amplitude, sampleRate: 8_000, count: 480)
        let resampler = try AudioResampler(inputRate: 8_000, outputRate: 48_000)
        let first = resampler.process(input)
        _ = resampler.process(input)
        resampler.reset()
        XCTAssertEqual(resampler.process(input), first)
    }

    func testBufferAPIAndInvalidArguments() throws {
        let resampler = try AudioResampler(inputRate: 8_000, outputRate: 48_000, quality: 3)
        XCTAssertEqual(resampler.quality, 3)
        let input = [Int16](repeating: 1_000, count: 160)
        var output = [Int16](repeating: 0, count: resampler.maximumOutputCount(forInputCount: 160))
        let written = input.withUnsafeBufferPointer { samples in
            output.withUnsafeMutableBufferPointer { resampler.process(samples, into: $0) }
        }
        XCTAssertEqual(written, 960)
        XCTAssertEqual(resampler.process([]), [])

        XCTAssertThrowsError(try AudioResampler(inputRate: 0, outputRate: 8_000))
        XCTAssertThrowsError(try AudioResampler(inputRate: 8_000, outputRate: -1))
        XCTAssertThrowsError(try AudioResampler(inputRate: 8_000, outputRate: 48_000, quality: 11))
    }
}
