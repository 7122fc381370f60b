/// An ordered list of `;name=value` parameters, as found on URIs, Via and name-addr headers.
///
/// Names compare case-insensitively (RFC 3261 §7.3.1); a parameter may have no value (`;lr`).
/// Values are stored as they appeared on the wire (quoted values keep their quotes).
public struct SIPParameters: Hashable, Sendable, Sequence, ExpressibleByArrayLiteral {
    public struct Parameter: Hashable, Sendable {
        public var name: String
        public var value: String?
        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var items: [Parameter]

    public init() { items = [] }
    public init(_ items: [Parameter]) { self.items = items }
    public init(arrayLiteral elements: (String, String?)...) {
        items = elements.map { Parameter(name: $0.0, value: $0.1) }
    }

    public func makeIterator() -> IndexingIterator<[Parameter]> { items.makeIterator() }
    public var isEmpty: Bool { items.isEmpty }

    /// Whether a parameter with this name is present, with or without a value.
    public func contains(_ name: String) -> Bool {
        items.contains { $0.name.caseInsensitiveEquals(name) }
    }

    /// The value of the first parameter with this name: `nil` when absent, `.some(nil)` when it has no value.
    public subscript(name: String) -> String?? {
        get {
            guard let item = items.first(where: { $0.name.caseInsensitiveEquals(name) }) else { return nil }
            return .some(item.value)
        }
    }

    /// The value of the first parameter with this name, or nil when absent or valueless.
    public func value(_ name: String) -> String? {
        items.first(where: { $0.name.caseInsensitiveEquals(name) })?.value
    }

    /// Sets a parameter, replacing the first one of the same name or appending it.
    public mutating func set(_ name: String, _ value: String?) {
        if let index = items.firstIndex(where: { $0.name.caseInsensitiveEquals(name) }) {
            items[index].value = value
        } else {
            items.append(Parameter(name: name, value: value))
        }
    }

    public mutating func remove(_ name: String) {
        items.removeAll { $0.name.caseInsensitiveEquals(name) }
    }

    /// `;a=b;c` form, empty when there are none.
    public var serialized: String {
        var out = ""
        for item in items {
            out += ";"
            out += item.name
            if let value = item.value {
                out += "="
                out += value
            }
        }
        return out
    }
}

extension StringProtocol {
    /// ASCII case-insensitive comparison, as SIP uses for tokens.
    @inlinable
    public func caseInsensitiveEquals(_ other: some StringProtocol) -> Bool {
        let a = self.utf8, b = other.utf8
        guard a.count == b.count else { return false }
        // Fast path over contiguous UTF-8 (native and small strings).
        let fast = a.withContiguousStorageIfAvailable { pa in
            b.withContiguousStorageIfAvailable { pb in sipASCIICaseInsensitiveEqual(pa, pb) }
        }
        if let fast, let result = fast { return result }
        for (x, y) in zip(a, b) where x != y {
            let lx = (x >= 65 && x <= 90) ? x | 0x20 : x
            let ly = (y >= 65 && y <= 90) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }
}

@inlinable
func sipASCIICaseInsensitiveEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    var i = 0
    while i < a.count {
        let x = a[i], y = b[i]
        if x != y {
            let lx = (x >= 65 && x <= 90) ? x | 0x20 : x
            let ly = (y >= 65 && y <= 90) ? y | 0x20 : y
            if lx != ly { return false }
        }
        i += 1
    }
    return true
}
