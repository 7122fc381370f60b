/// The header fields of a SIP message other than the ones ``SIPRequest``/``SIPResponse`` hold typed
/// (Via, From, To, Call-ID, CSeq, Max-Forwards, Content-Length).
///
/// Order is kept, names are stored in their canonical long form (a compact `m` becomes `Contact`), and
/// lookups are case-insensitive. A header that appeared comma-separated on one line stays one entry;
/// ``values(_:)`` splits such lists at top-level commas.
public struct SIPHeaders: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Field: Hashable, Sendable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = SIPHeaders.canonicalName(name)
            self.value = value
        }
        /// For names already in canonical form (the parser's fast path).
        init(canonicalName: String, value: String) {
            self.name = canonicalName
            self.value = value
        }
    }

    public private(set) var fields: [Field] = []

    public init() {}
    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { Field(name: $0.0, value: $0.1) }
    }
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
    public var count: Int { fields.count }

    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    mutating func appendField(_ field: Field) {
        fields.append(field)
    }

    /// Replaces every field of this name with one field holding `value` (at the first one's position).
    public mutating func set(_ name: String, _ value: String) {
        let canonical = Self.canonicalName(name)
        if let index = fields.firstIndex(where: { $0.name.caseInsensitiveEquals(canonical) }) {
            fields[index].value = value
            var i = fields.count - 1
            while i > index {
                if fields[i].name.caseInsensitiveEquals(canonical) { fields.remove(at: i) }
                i -= 1
            }
        } else {
            fields.append(Field(name: canonical, value: value))
        }
    }

    public mutating func remove(_ name: String) {
        let canonical = Self.canonicalName(name)
        fields.removeAll { $0.name.caseInsensitiveEquals(canonical) }
    }

    /// The value of the first field with this name (compact or long form), as it appeared.
    public subscript(name: String) -> String? {
        let canonical = Self.canonicalName(name)
        return fields.first(where: { $0.name.caseInsensitiveEquals(canonical) })?.value
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// Every value of a (possibly comma-separated, possibly repeated) header, in order, trimmed.
    /// Commas inside quoted strings and `<...>` do not split.
    public func values(_ name: String) -> [String] {
        let canonical = Self.canonicalName(name)
        var out: [String] = []
        for field in fields where field.name.caseInsensitiveEquals(canonical) {
            out.append(contentsOf: SIPHeaders.splitTopLevelCommas(field.value))
        }
        return out
    }

    /// The value of every field with this name, unsplit: for headers whose values contain commas
    /// that do not separate values, like `WWW-Authenticate` and `Authorization` (RFC 3261 §7.3.1).
    public func fieldValues(_ name: String) -> [String] {
        let canonical = Self.canonicalName(name)
        return fields.filter { $0.name.caseInsensitiveEquals(canonical) }.map(\.value)
    }

    /// Option tags or tokens of list headers like Require, Supported, Allow, lower-cased for comparison.
    public func tokens(_ name: String) -> [String] {
        values(name).map { $0.lowercased() }.filter { !$0.isEmpty }
    }

    /// Splits a header value at commas that are not inside a quoted string or angle brackets.
    public static func splitTopLevelCommas(_ value: String) -> [String] {
        var parts: [String] = []
        let utf8 = value.utf8
        var start = utf8.startIndex
        var inQuotes = false
        var inAngle = false
        var escaped = false
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if escaped {
                escaped = false
            } else if inQuotes {
                if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inQuotes = false }
            } else if byte == UInt8(ascii: "\"") {
                inQuotes = true
            } else if byte == UInt8(ascii: "<") {
                inAngle = true
            } else if byte == UInt8(ascii: ">") {
                inAngle = false
            } else if byte == UInt8(ascii: ","), !inAngle {
                parts.append(String(value[start..<index]).trimmingSIPWhitespace())
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        let last = String(value[start..<utf8.endIndex]).trimmingSIPWhitespace()
        if !last.isEmpty || !parts.isEmpty { parts.append(last) }
        return parts.filter { !$0.isEmpty }
    }

    /// Compact forms (RFC 3261 §7.3.3 and the extensions Chorus uses) mapped to long names.
    public static let compactForms: [String: String] = [
        "i": "Call-ID", "m": "Contact", "e": "Content-Encoding", "l": "Content-Length",
        "c": "Content-Type", "f": "From", "s": "Subject", "k": "Supported", "t": "To", "v": "Via",
        "o": "Event", "u": "Allow-Events", "r": "Refer-To", "b": "Referred-By", "x": "Session-Expires",
    ]

    /// Canonical spelling of well-known long names, keyed by lower-case name.
    static let canonicalSpellings: [String: String] = {
        let names = [
            "Accept", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow", "Allow-Events",
            "Authentication-Info", "Authorization", "Call-ID", "Call-Info", "Contact", "Content-Disposition",
            "Content-Encoding", "Content-Language", "Content-Length", "Content-Type", "CSeq", "Date",
            "Error-Info", "Event", "Expires", "From", "In-Reply-To", "Max-Forwards", "Min-Expires",
            "MIME-Version", "Organization", "Priority", "Proxy-Authenticate", "Proxy-Authorization",
            "Proxy-Require", "Record-Route", "Refer-To", "Referred-By", "Reply-To", "Require", "Retry-After",
            "Route", "Server", "Session-Expires", "Subject", "Subscription-State", "Supported", "Timestamp",
            "To", "Unsupported", "User-Agent", "Via", "Warning", "WWW-Authenticate", "RSeq", "RAck",
        ]
        var map: [String: String] = [:]
        for name in names { map[name.lowercased()] = name }
        return map
    }()

    /// The long, conventionally spelled name for a header name in any case or compact form.
    public static func canonicalName(_ name: String) -> String {
        if name.utf8.count == 1, let long = compactForms[name.lowercased()] { return long }
        return canonicalSpellings[name.lowercased()] ?? name
    }
}

extension String {
    /// Trims SP, HTAB, CR and LF from both ends.
    public func trimmingSIPWhitespace() -> String {
        let isWS: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isWS($0) }) else { return "" }
        let last = lastIndex(where: { !isWS($0) })!
        return String(self[first...last])
    }
}
