import Foundation

/// 16-bit PCM WAV files: tone sources for real clients and their recordings.
public enum WAVFile {
    /// Writes `samples` (mono) as a WAV of `channels` identical channels.
    public static func write(_ samples: [Int16], sampleRate: Int, channels: Int = 1, to url: URL) throws {
        var data = Data()
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        let payloadBytes = samples.count * 2 * channels
        data.append(contentsOf: Array("RIFF".utf8))
        append(UInt32(36 + payloadBytes))
        data.append(contentsOf: Array("WAVEfmt ".utf8))
        append(UInt32(16))
        append(UInt16(1))  // PCM
        append(UInt16(channels))
        append(UInt32(sampleRate))
        append(UInt32(sampleRate * 2 * channels))
        append(UInt16(2 * channels))
        append(UInt16(16))
        data.append(contentsOf: Array("data".utf8))
        append(UInt32(payloadBytes))
        samples.withUnsafeBytes { raw in
            for sample in raw.bindMemory(to: Int16.self) {
                for _ in 0..<channels { append(sample) }
            }
        }
        try data.write(to: url)
    }

    /// Reads a 16-bit PCM WAV (the first channel), tolerating a header whose sizes were never
    /// finalised (a recorder that was killed): the data runs to the end of the file.
    public static func read(_ url: URL) throws -> (samples: [Int16], sampleRate: Int) {
        let data = try Data(contentsOf: url)
        let bytes = [UInt8](data)
        func u16(_ offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }
        func u32(_ offset: Int) -> Int { u16(offset) | u16(offset + 2) << 16 }
        guard bytes.count >= 12, String(decoding: bytes[0..<4], as: UTF8.self) == "RIFF" else { throw WAVError("not a RIFF file: \(url.path)") }
        var offset = 12
        var channels = 1
        var sampleRate = 0
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = u32(offset + 4)
            if id == "fmt " {
                channels = max(1, u16(offset + 10))
                sampleRate = u32(offset + 12)
            } else if id == "data" {
                let start = offset + 8
                let end = size == 0 || start + size > bytes.count ? bytes.count : start + size
                var samples: [Int16] = []
                samples.reserveCapacity((end - start) / (2 * channels))
                var index = start
                while index + 2 * channels <= end {
                    samples.append(Int16(bitPattern: UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8))
                    index += 2 * channels
                }
                return (samples, sampleRate)
            }
            offset += 8 + size + (size & 1)
        }
        throw WAVError("no data chunk in \(url.path)")
    }

    public struct WAVError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
