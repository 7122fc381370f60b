#if canImport(Glibc)
import Glibc
#endif
import ChorusCodecs
import ChorusMixer

/// One pre-encoded 20 ms Opus frame and the RFC 6464 level (−dBov) of the audio it carries.
struct EncodedFrame {
    var payload: [UInt8]
    var level: UInt8
}

/// What simulated participants send, encoded once up front so that sending costs no encoding.
///
/// Talker *k* of every room sends a steady tone at ``talkerFrequency(_:)``; listeners send quiet
/// noise (a real microphone in a quiet office, about −55 dBFS) or, with DTX, a packet every 400 ms.
struct LoadAudio {
    /// Frames per loop: two seconds, so a tone of whole hertz loops without a phase jump.
    static let loopFrames = 100
    /// Peak amplitude of the talkers' tones relative to full scale (RMS −13 dBFS).
    static let toneAmplitude = 0.3
    /// RMS of the listeners' noise, in dBFS.
    static let noiseDBFS = -55.0

    let tones: [[EncodedFrame]]
    let noise: [EncodedFrame]

    /// The tone of talker `index` in every room: 500, 900, 1300, … Hz, far enough apart for the
    /// spectral check.
    static func talkerFrequency(_ index: Int) -> Double { 500 + 400 * Double(index) }

    init(talkers: Int, bitrate: Int32 = 32_000) throws {
        tones = try (0..<max(talkers, 1)).map { index in
            try Self.encode(bitrate: bitrate) { sample in
                Self.toneAmplitude * 32_767 * sin(2 * .pi * Self.talkerFrequency(index) * Double(sample) / 48_000)
            }
        }
        // Uniform noise of RMS r has amplitude r·√3.
        let amplitude = 32_768 * pow(10, Self.noiseDBFS / 20) * 3.0.squareRoot()
        noise = try Self.encode(bitrate: bitrate) { _ in amplitude * Double.random(in: -1...1) }
    }

    private static func encode(bitrate: Int32, _ sample: (Int) -> Double) throws -> [EncodedFrame] {
        let encoder = try OpusEncoder(configuration: OpusEncoderConfiguration(bitrate: bitrate, complexity: 5))
        var frames: [EncodedFrame] = []
        for frame in 0..<loopFrames {
            let pcm = (0..<960).map { Int16(max(-32_768, min(32_767, sample(frame * 960 + $0)))) }
            frames.append(EncodedFrame(payload: try encoder.encode(pcm), level: level(of: pcm)))
        }
        return frames
    }

    /// RFC 6464: −dBov of the frame's RMS, 0…127.
    static func level(of pcm: [Int16]) -> UInt8 {
        let meanSquare = pcm.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(pcm.count)
        guard meanSquare > 0 else { return 127 }
        let dBov = 10 * log10(meanSquare / (32_768 * 32_768))
        return UInt8(min(127, max(0, -dBov.rounded())))
    }
}

/// The level of a tone in a recording relative to a talker's tone as sent, in dB: Goertzel
/// energy averaged over Hann-windowed 50 ms blocks (a phase jump from concealment would cancel a
/// single long sum).
enum ToneLevel {
    static func of(_ frequency: Double, in samples: ArraySlice<Int16>) -> Double {
        let reference = (0..<2400).map { Int16(LoadAudio.toneAmplitude * 32_767 * sin(2 * .pi * frequency * Double($0) / 48_000)) }
        let heard = ToneMeter.meanBlockPower(of: frequency, in: samples, blockLength: 2400)
        return 10 * log10(max(heard, 1e-12) / ToneMeter.meanBlockPower(of: frequency, in: reference, blockLength: 2400))
    }

    /// The energy of one 20 ms frame at `frequency` relative to the sent tone, in dB (for onsets).
    static func frameLevel(_ frequency: Double, _ frame: ArraySlice<Int16>) -> Double {
        // A whole-cycle tone of amplitude A over N samples has Goertzel energy (A·N/2)².
        let reference = LoadAudio.toneAmplitude * 32_767 * Double(frame.count) / 2
        return 10 * log10(max(ToneMeter.power(of: frequency, in: frame), 1e-12) / (reference * reference))
    }
}
