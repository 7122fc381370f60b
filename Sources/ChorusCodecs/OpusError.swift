internal import COpus

/// A failure from libopus or from the checks made before calling it.
public enum OpusError: Error, Hashable, Sendable, CustomStringConvertible {
    /// libopus returned a negative error code; `message` is `opus_strerror`'s text.
    case library(code: Int32, message: String)
    /// The PCM buffer is not a whole number of frames of a legal Opus duration
    /// (2.5, 5, 10, 20, 40 or 60 ms), or does not fit the channel count.
    case invalidFrameSize(samplesPerChannel: Int)
    /// An argument outside what the Swift wrapper accepts (sample rate, channels, sizes).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .library(let code, let message): "libopus error \(code): \(message)"
        case .invalidFrameSize(let samples): "invalid Opus frame size: \(samples) samples per channel"
        case .invalidArgument(let what): "invalid argument: \(what)"
        }
    }

    /// The error for a libopus return code.
    static func library(_ code: Int32) -> OpusError {
        .library(code: code, message: String(cString: opus_strerror(code)))
    }

    /// Throws for a negative libopus return value, passes others through.
    @discardableResult
    static func check(_ result: Int32) throws(OpusError) -> Int32 {
        if result < 0 { throw library(result) }
        return result
    }
}
