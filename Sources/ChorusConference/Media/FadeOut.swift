#if canImport(Glibc)
import Glibc
#endif

/// Scales `samples`, positions `offset..<offset + samples.count` of a fade `length` samples long,
/// by a gain falling from 1 to 0 along a half cosine. Smooth at both ends, a 20 ms fade spreads a
/// tone by a few tens of Hz and no further; a cut spreads it over the whole band (a click), and
/// even a straight ramp's corners leave sidelobes a few hundred Hz out.
func fadeOut(_ samples: UnsafeMutableBufferPointer<Int16>, from offset: Int = 0, of length: Int) {
    let step = Float.pi / Float(length)
    for index in samples.indices {
        let gain = 0.5 * (1 + cos(step * Float(offset + index + 1)))
        samples[index] = Int16((Float(samples[index]) * gain).rounded())
    }
}
