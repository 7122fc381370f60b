#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Every tone rendered once, on first use, so that playing costs one add per sample.
enum ToneTables {
    /// Length of the raised-cosine fade at each end of every note.
    static let fadeSamples = 5 * PromptTone.sampleRate / 1000

    private static let join = render(.join)
    private static let leave = render(.leave)
    private static let confirm = render(.confirm)
    private static let error = render(.error)
    private static let lobbyPrompt = render(.lobbyPrompt)
    private static let waiting = render(.waiting)
    private static let recordingStarted = render(.recordingStarted)
    private static let recordingStopped = render(.recordingStopped)

    static func samples(of tone: PromptTone) -> [Int16] {
        switch tone {
        case .join: join
        case .leave: leave
        case .confirm: confirm
        case .error: error
        case .lobbyPrompt: lobbyPrompt
        case .waiting: waiting
        case .recordingStarted: recordingStarted
        case .recordingStopped: recordingStopped
        }
    }

    private static func render(_ tone: PromptTone) -> [Int16] {
        var samples: [Int16] = []
        let peak = tone.amplitude * 32767
        for note in tone.notes {
            let count = note.milliseconds * PromptTone.sampleRate / 1000
            guard note.frequency > 0 else {
                samples.append(contentsOf: repeatElement(0, count: count))
                continue
            }
            let step = 2 * Double.pi * note.frequency / Double(PromptTone.sampleRate)
            for index in 0..<count {
                let value = peak * sin(step * Double(index)) * envelope(at: index, of: count)
                samples.append(Int16(value.rounded()))
            }
        }
        return samples
    }

    /// Raised cosine from 0 to 1 over the fade at the start, and back to exactly 0 at the last sample.
    private static func envelope(at index: Int, of count: Int) -> Double {
        let fromEdge = min(index, count - 1 - index)
        guard fromEdge < fadeSamples else { return 1 }
        return 0.5 - 0.5 * cos(Double.pi * Double(fromEdge) / Double(fadeSamples))
    }
}
