internal import CSpeexDSP

/// A failure from speexdsp's resampler or from the checks made before calling it.
public enum AudioResamplerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// speexdsp returned an error code; `message` is `speex_resampler_strerror`'s text.
    case library(code: Int32, message: String)
    /// A rate or quality the wrapper does not accept.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .library(let code, let message): "speexdsp resampler error \(code): \(message)"
        case .invalidArgument(let what): "invalid argument: \(what)"
        }
    }

    /// The error for a speexdsp return code.
    static func library(_ code: Int32) -> AudioResamplerError {
        .library(code: code, message: String(cString: speex_resampler_strerror(code)))
    }
}
