internal import CSpanDSP

/// A G.711 encoder and decoder (spandsp's `linear_to_ulaw`, `alaw_to_linear`, ...).
///
/// G.711 is stateless, one byte per sample, so one value can serve every stream and thread.
/// Samples are 16-bit linear PCM at 8 kHz; rate conversion is ``AudioResampler``'s job.
public struct G711Codec: Sendable, Hashable {
    public let law: G711Law

    public init(law: G711Law) {
        self.law = law
    }

    // MARK: Buffers

    /// Encodes every sample of `samples` into the first `samples.count` bytes of `output`.
    ///
    /// - Precondition: `output` holds at least `samples.count` bytes.
    public func encode(_ samples: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count >= samples.count, "G.711 output buffer smaller than the input")
        switch law {
        case .muLaw:
            for index in samples.indices { output[index] = linear_to_ulaw(Int32(samples[index])) }
        case .aLaw:
            for index in samples.indices { output[index] = linear_to_alaw(Int32(samples[index])) }
        }
    }

    /// Decodes every byte of `bytes` into the first `bytes.count` samples of `output`.
    ///
    /// - Precondition: `output` holds at least `bytes.count` samples.
    public func decode(_ bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<Int16>) {
        precondition(output.count >= bytes.count, "G.711 output buffer smaller than the input")
        switch law {
        case .muLaw:
            for index in bytes.indices { output[index] = ulaw_to_linear(bytes[index]) }
        case .aLaw:
            for index in bytes.indices { output[index] = alaw_to_linear(bytes[index]) }
        }
    }

    // MARK: Array conveniences

    /// Encodes `samples` into a new array of the same length.
    public func encode(_ samples: [Int16]) -> [UInt8] {
        samples.withUnsafeBufferPointer { input in
            [UInt8](unsafeUninitializedCapacity: input.count) { output, initialized in
                encode(input, into: output)
                initialized = input.count
            }
        }
    }

    /// Decodes `bytes` (one RTP payload, say) into a new array of the same length.
    public func decode(_ bytes: [UInt8]) -> [Int16] {
        bytes.withUnsafeBufferPointer { input in
            [Int16](unsafeUninitializedCapacity: input.count) { output, initialized in
                decode(input, into: output)
                initialized = input.count
            }
        }
    }

    // MARK: Single samples

    /// The code for one linear sample.
    public func encode(_ sample: Int16) -> UInt8 {
        switch law {
        case .muLaw: linear_to_ulaw(Int32(sample))
        case .aLaw: linear_to_alaw(Int32(sample))
        }
    }

    /// The linear sample one code stands for.
    public func decode(_ byte: UInt8) -> Int16 {
        switch law {
        case .muLaw: ulaw_to_linear(byte)
        case .aLaw: alaw_to_linear(byte)
        }
    }
}
