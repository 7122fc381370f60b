/// Standard base64 (RFC 4648 §4) for SDES keys, without Foundation.
///
/// The decoder is strict: padding is required, no whitespace, no characters outside the alphabet,
/// and the unused bits of the last character must be zero, so every key has exactly one spelling.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let decodingTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(index)
        }
        return table
    }()

    /// The base64 text of `bytes`, padded.
    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let first = bytes[index]
            let second = remaining > 1 ? bytes[index + 1] : 0
            let third = remaining > 2 ? bytes[index + 2] : 0
            output.append(alphabet[Int(first >> 2)])
            output.append(alphabet[Int((first & 0x03) << 4 | second >> 4)])
            output.append(remaining > 1 ? alphabet[Int((second & 0x0F) << 2 | third >> 6)] : UInt8(ascii: "="))
            output.append(remaining > 2 ? alphabet[Int(third & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLastQuantum = index + 4 == input.count
            let padding = isLastQuantum ? input[(index + 2)...].filter { $0 == UInt8(ascii: "=") }.count : 0
            // Padding only at the very end: "xx==" or "xxx=".
            if padding == 1, input[index + 3] != UInt8(ascii: "=") { return nil }
            if padding == 2, input[index + 2] != UInt8(ascii: "=") { return nil }
            var values: [UInt8] = []
            for character in input[index..<(index + 4 - padding)] {
                let value = decodingTable[Int(character)]
                guard value != 0xFF else { return nil }
                values.append(value)
            }
            output.append(values[0] << 2 | values[1] >> 4)
            switch padding {
            case 0:
                output.append(values[1] << 4 | values[2] >> 2)
                output.append(values[2] << 6 | values[3])
            case 1:
                guard values[2] & 0x03 == 0 else { return nil }
                output.append(values[1] << 4 | values[2] >> 2)
            default:
                guard values[1] & 0x0F == 0 else { return nil }
            }
            index += 4
        }
        return output
    }
}
