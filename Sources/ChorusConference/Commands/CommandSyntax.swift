/// The shapes of command arguments: ROOM, PIN, N, SIP-URI and WHO.
enum CommandSyntax {
    /// The limits of N in `max` and `create … max N`.
    static let participantLimits = 2...10_000
    /// How long a PIN may be, in digits.
    static let pinLengths = 4...12
    /// How long a room name may be.
    static let roomNameLengths = 1...64

    /// 1–64 characters of `A-Z a-z 0-9 . _ -`: what may stand in the user part of `sip:ROOM@host` unescaped.
    static func isValidRoom(_ word: String) -> Bool {
        roomNameLengths.contains(word.utf8.count)
            && word.utf8.allSatisfy { isASCIIAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// 4–12 ASCII digits.
    static func isValidPIN(_ word: String) -> Bool {
        pinLengths.contains(word.utf8.count) && isASCIIDigits(word)
    }

    /// Whether `word` has the shape of a PIN; such words are never echoed in errors.
    static func looksLikePIN(_ word: String) -> Bool {
        isValidPIN(word)
    }

    /// N in 2…10000, written with ASCII digits only (no sign, so `+5` is refused).
    static func participantLimit(_ word: String) -> Int? {
        guard isASCIIDigits(word), let value = Int(word), participantLimits.contains(value) else { return nil }
        return value
    }

    /// A `sip:` or `sips:` URI with a host part (the scheme is matched case-insensitively).
    ///
    /// This is a plausibility check for typing mistakes, not a full RFC 3261 parser: the server's SIP
    /// stack parses the URI again when it uses it.
    static func isValidSIPURI(_ word: String) -> Bool {
        let lowered = word.lowercased()
        let schemeLength: Int
        if lowered.hasPrefix("sip:") {
            schemeLength = 4
        } else if lowered.hasPrefix("sips:") {
            schemeLength = 5
        } else {
            return false
        }
        var rest = Substring(word.dropFirst(schemeLength))
        // Parameters and headers follow the host; they are not checked.
        if let end = rest.firstIndex(where: { $0 == ";" || $0 == "?" }) {
            rest = rest[..<end]
        }
        if let at = rest.lastIndex(of: "@") {
            guard at != rest.startIndex else { return false }  // "sip:@host" has an empty user
            rest = rest[rest.index(after: at)...]
        }
        return isValidHostPort(rest)
    }

    /// A participant number (1 and up), a SIP URI, or `all` (case-insensitive).
    static func participantSelector(_ word: String) -> ParticipantSelector? {
        if word.lowercased() == "all" {
            return .all
        }
        if isASCIIDigits(word) {
            guard let number = Int(word), number >= 1 else { return nil }
            return .number(number)
        }
        if isValidSIPURI(word) {
            return .uri(word)
        }
        return nil
    }

    /// `host[:port]`, where host is a name or IPv4 address, or an IPv6 reference in brackets.
    private static func isValidHostPort(_ text: Substring) -> Bool {
        var host = text
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let inside = host[host.index(after: host.startIndex)..<close]
            guard !inside.isEmpty, inside.utf8.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }) else {
                return false
            }
            let afterBracket = host[host.index(after: close)...]
            if !afterBracket.isEmpty {
                guard afterBracket.hasPrefix(":") else { return false }
                port = afterBracket.dropFirst()
            }
            host = inside
        } else {
            if let colon = host.firstIndex(of: ":") {
                port = host[host.index(after: colon)...]
                host = host[..<colon]
            }
            guard !host.isEmpty,
                host.utf8.allSatisfy({ isASCIIAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
            else {
                return false
            }
        }
        if let port {
            guard isASCIIDigits(port), let value = Int(port), (1...65_535).contains(value) else { return false }
        }
        return true
    }

    static func isASCIIDigits<S: StringProtocol>(_ word: S) -> Bool {
        !word.isEmpty && word.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
