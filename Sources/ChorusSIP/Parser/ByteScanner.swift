// Byte-level helpers shared by the parsers: character classes of RFC 3261 §25.1 and small scanning
// functions over UnsafeBufferPointer<UInt8>. Everything here is internal.

typealias SIPBytes = UnsafeBufferPointer<UInt8>

enum Byte {
    static let htab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let percent: UInt8 = 0x25
    static let ampersand: UInt8 = 0x26
    static let star: UInt8 = 0x2A
    static let comma: UInt8 = 0x2C
    static let dot: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let less: UInt8 = 0x3C
    static let equals: UInt8 = 0x3D
    static let greater: UInt8 = 0x3E
    static let question: UInt8 = 0x3F
    static let at: UInt8 = 0x40
    static let leftBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let rightBracket: UInt8 = 0x5D

    @inline(__always) static func isWS(_ b: UInt8) -> Bool { b == space || b == htab }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isAlpha(b) }
    @inline(__always) static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20) &- 0x61 < 6 }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }
    /// Control characters other than HTAB, and DEL.
    @inline(__always) static func isControl(_ b: UInt8) -> Bool { (b < 0x20 && b != htab) || b == 0x7F }

    /// `token` of RFC 3261 §25.1: alphanum and `-.!%*_+`'~`.
    @inline(__always) static func isToken(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x2D, 0x2E, 0x21, 0x25, 0x2A, 0x5F, 0x2B, 0x60, 0x27, 0x7E: true
        default: false
        }
    }

    /// Characters of a host name (plus `_`, which real deployments use).
    @inline(__always) static func isHostChar(_ b: UInt8) -> Bool {
        isAlnum(b) || b == 0x2D || b == dot || b == 0x5F
    }

    /// Characters allowed inside a URI: visible ASCII except `<`, `>`, `"`, and any UTF-8 byte
    /// (lenient: RFC 3261 wants those escaped, but they are seen in the wild).
    @inline(__always) static func isURIChar(_ b: UInt8) -> Bool {
        b > 0x20 && b != 0x7F && b != less && b != greater && b != quote
    }
}

extension UnsafeBufferPointer<UInt8> {
    @inline(__always) func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: self[range]), as: UTF8.self)
    }

    @inline(__always) func sub(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: self[range])
    }

    @inline(__always) func skipWS(from start: Int, to end: Int) -> Int {
        var i = start
        while i < end && Byte.isWS(self[i]) { i += 1 }
        return i
    }

    /// The range without leading and trailing SP/HTAB.
    @inline(__always) func trimmedWS(_ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi && Byte.isWS(self[lo]) { lo += 1 }
        while hi > lo && Byte.isWS(self[hi - 1]) { hi -= 1 }
        return lo..<hi
    }

    /// When the LF at `lf` is followed by an empty line (LF, or CR LF), the header section ends:
    /// returns the index where the body starts. Nil otherwise. Bare LF line ends are tolerated.
    @inline(__always) func bodyStart(afterLineFeedAt lf: Int, count n: Int) -> Int? {
        if lf + 1 < n && self[lf + 1] == Byte.lf { return lf + 2 }
        if lf + 2 < n && self[lf + 1] == Byte.cr && self[lf + 2] == Byte.lf { return lf + 3 }
        return nil
    }

    @inline(__always) func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
        var i = range.lowerBound
        while i < range.upperBound {
            if self[i] == byte { return i }
            i += 1
        }
        return nil
    }

    @inline(__always) func all(_ range: Range<Int>, _ predicate: (UInt8) -> Bool) -> Bool {
        var i = range.lowerBound
        while i < range.upperBound {
            if !predicate(self[i]) { return false }
            i += 1
        }
        return true
    }

    /// ASCII case-insensitive comparison of the bytes in `range` with a lower-case literal.
    @inline(__always) func equalsLower(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let lit = literal.utf8Start
        var i = 0
        while i < range.count {
            if Byte.lower(self[range.lowerBound + i]) != lit[i] { return false }
            i += 1
        }
        return true
    }

    /// Parses 1*DIGIT in `range` as a non-negative integer no larger than `max`.
    @inline(__always) func decimal(_ range: Range<Int>, max: Int) -> Int? {
        guard !range.isEmpty else { return nil }
        var value = 0
        for i in range {
            let b = self[i]
            guard Byte.isDigit(b) else { return nil }
            value = value * 10 + Int(b &- 0x30)
            if value > max { return nil }
        }
        return value
    }
}

/// Runs `body` over the UTF-8 bytes of `text` without copying when the string is native.
@inline(__always)
func withSIPBytes<T>(
    _ text: some StringProtocol, _ body: (SIPBytes) throws(SIPParseError) -> T
) throws(SIPParseError) -> T {
    var string = String(text)
    let result = string.withUTF8 { bytes in Result { () throws(SIPParseError) in try body(bytes) } }
    return try result.get()
}
