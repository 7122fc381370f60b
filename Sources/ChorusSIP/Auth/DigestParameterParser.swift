/// Why a `WWW-Authenticate`/`Authorization` style header value could not be read as Digest.
public struct SIPDigestParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// One line saying what was wrong, for logs and tests.
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { "invalid Digest header: \(reason)" }
}

/// One `name=value` of a Digest header, with the value unquoted and unescaped.
struct DigestParameter: Hashable, Sendable {
    var name: String
    var value: String
    var wasQuoted: Bool
}

/// Reads `Digest name=value, name="quoted \"value\"", ...` (RFC 3261 §25.1 `challenge`/`credentials`,
/// RFC 7616 §3.3–3.4): the scheme token (any case), then a comma-separated list of parameters
/// with optional linear whitespace around `=` and `,`. Empty list elements are skipped, as the
/// `#rule` allows. Names are tokens and must not repeat (compared case-insensitively); values are a
/// token-like run or a quoted-string with `\` escapes.
///
/// Linear in the input and never traps: every error is a thrown ``SIPDigestParseError``.
enum DigestParameterParser {
    static func parse(_ header: some StringProtocol) throws(SIPDigestParseError) -> [DigestParameter] {
        let bytes = Array(header.utf8)
        var index = 0

        func skipWhitespace() {
            while index < bytes.count, isWhitespace(bytes[index]) { index += 1 }
        }

        skipWhitespace()
        let schemeStart = index
        while index < bytes.count, isTokenChar(bytes[index]) { index += 1 }
        let scheme = String(decoding: bytes[schemeStart..<index], as: UTF8.self)
        guard !scheme.isEmpty else { throw SIPDigestParseError("missing auth scheme") }
        guard scheme.caseInsensitiveEquals("Digest") else {
            throw SIPDigestParseError("auth scheme is \(quotedForError(scheme)), not Digest")
        }
        guard index < bytes.count, isWhitespace(bytes[index]) else {
            if index == bytes.count { throw SIPDigestParseError("no parameters after Digest") }
            throw SIPDigestParseError("unexpected \(describe(bytes[index])) after Digest")
        }

        var parameters: [DigestParameter] = []
        var expectSeparator = false
        while true {
            skipWhitespace()
            if index == bytes.count { break }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                expectSeparator = false
                continue
            }
            if expectSeparator {
                throw SIPDigestParseError("expected ',' before \(describe(bytes[index])) at offset \(index)")
            }

            let nameStart = index
            while index < bytes.count, isTokenChar(bytes[index]) { index += 1 }
            guard index > nameStart else {
                throw SIPDigestParseError("expected a parameter name at offset \(index), found \(describe(bytes[index]))")
            }
            let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                throw SIPDigestParseError("parameter \(quotedForError(name)) has no '=' value")
            }
            index += 1
            skipWhitespace()
            guard index < bytes.count else {
                throw SIPDigestParseError("parameter \(quotedForError(name)) has an empty value")
            }

            var value: [UInt8] = []
            let wasQuoted = bytes[index] == UInt8(ascii: "\"")
            if wasQuoted {
                index += 1
                var closed = false
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") {
                        index += 1
                        closed = true
                        break
                    }
                    if byte == UInt8(ascii: "\\") {
                        index += 1
                        guard index < bytes.count else { break }
                        let escaped = bytes[index]
                        // RFC 3261's quoted-pair would let most control characters through escaped;
                        // a value never holds one (found by fuzzing: an escaped 0x1F parsed, and the
                        // value could not be written back).
                        guard escaped >= 0x20 || escaped == 0x09, escaped != 0x7F else {
                            throw SIPDigestParseError("bad escape in the value of \(quotedForError(name))")
                        }
                        value.append(escaped)
                        index += 1
                        continue
                    }
                    guard byte >= 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A, byte != 0x7F else {
                        throw SIPDigestParseError("control character in the value of \(quotedForError(name))")
                    }
                    value.append(byte)
                    index += 1
                }
                guard closed else {
                    throw SIPDigestParseError("unterminated quoted value of \(quotedForError(name))")
                }
            } else {
                while index < bytes.count, isBareValueChar(bytes[index]) {
                    value.append(bytes[index])
                    index += 1
                }
                guard !value.isEmpty else {
                    throw SIPDigestParseError(
                        "parameter \(quotedForError(name)) has an invalid value starting with \(describe(bytes[index]))")
                }
            }

            if parameters.contains(where: { $0.name.caseInsensitiveEquals(name) }) {
                throw SIPDigestParseError("duplicate parameter \(quotedForError(name))")
            }
            parameters.append(
                DigestParameter(name: name, value: String(decoding: value, as: UTF8.self), wasQuoted: wasQuoted))
            expectSeparator = true
        }
        guard !parameters.isEmpty else { throw SIPDigestParseError("no parameters after Digest") }
        return parameters
    }

    // MARK: Serialising

    /// `"value"` with `"` and `\` escaped.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for char in value.unicodeScalars {
            if char == "\"" || char == "\\" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(char)
        }
        out += "\""
        return out
    }

    /// The value as a bare token when it is one, quoted otherwise.
    static func tokenOrQuoted(_ value: String) -> String {
        if !value.isEmpty, value.utf8.allSatisfy(isTokenChar) { return value }
        return quoted(value)
    }

    // MARK: Character classes

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// RFC 3261 §25.1 `token`.
    static func isTokenChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "*"),
            UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// An unquoted value: tokens, plus what real clients put in unquoted nonces and URIs
    /// (`/`, `=`, `:`, `@`, ...). Stops at whitespace, `,`, `"`, `\` and control characters.
    static func isBareValueChar(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte != 0x7F && byte != UInt8(ascii: ",") && byte != UInt8(ascii: "\"")
            && byte != UInt8(ascii: "\\")
    }

    private static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    /// A name for an error message: quoted and cut short, so a reason stays one line.
    static func quotedForError(_ text: String) -> String {
        let printable = String(text.unicodeScalars.prefix(40).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        return "\"\(printable)\(text.unicodeScalars.count > 40 ? "…" : "")\""
    }
}
