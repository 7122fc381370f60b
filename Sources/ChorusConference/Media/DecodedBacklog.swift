/// PCM decoded from one packet and handed out a chunk at a time: a 40 or 60 ms Opus packet
/// over 20 ms mixer ticks, a 20 ms G.711 packet over 10 ms pulls. Used on one thread.
struct DecodedBacklog {
    private var samples: [Int16]
    private var start = 0
    private var end = 0

    /// - Parameter capacity: the longest packet's samples.
    init(capacity: Int) {
        samples = [Int16](repeating: 0, count: capacity)
    }

    /// Replaces the backlog with what `decode` writes into the storage (it returns how many
    /// samples, or nil when decoding failed). Returns whether any audio was decoded.
    mutating func refill(_ decode: (UnsafeMutableBufferPointer<Int16>) -> Int?) -> Bool {
        let written = samples.withUnsafeMutableBufferPointer { decode($0) }
        start = 0
        end = max(0, written ?? 0)
        return end > 0
    }

    mutating func clear() {
        start = 0
        end = 0
    }

    /// Copies the next `chunk.count` samples (zeros past the end) and returns how many were real.
    mutating func take(into chunk: UnsafeMutableBufferPointer<Int16>) -> Int {
        let count = min(chunk.count, end - start)
        samples.withUnsafeBufferPointer { source in
            for index in 0..<count { chunk[index] = source[start + index] }
        }
        for index in count..<chunk.count { chunk[index] = 0 }
        start += count
        return count
    }
}
