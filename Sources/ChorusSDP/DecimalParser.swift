/// Strict parsing of unsigned decimal numbers: ASCII digits only, no sign, no spaces, no overflow.
enum DecimalParser {
    static func uint64(_ text: some StringProtocol) -> UInt64? {
        guard !text.isEmpty, text.utf8.count <= 20 else { return nil }
        var value: UInt64 = 0
        for byte in text.utf8 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = shifted.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            value = sum
        }
        return value
    }

    static func int(_ text: some StringProtocol) -> Int? {
        guard let value = self.uint64(text), value <= UInt64(Int.max) else { return nil }
        return Int(value)
    }
}
