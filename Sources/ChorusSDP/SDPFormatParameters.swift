/// The parameters of an `a=fmtp:<pt> <parameters>` attribute, e.g. `minptime=10;useinbandfec=1`.
public struct SDPFormatParameters: Equatable, Sendable {
    /// One `key=value` pair; `value` is empty for a bare token such as telephone-event's `0-16`.
    public struct Parameter: Equatable, Sendable {
        /// The key as sent.
        public var key: String
        /// The value as sent, without surrounding spaces.
        public var value: String

        /// Creates a parameter.
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The text after the payload type, as sent.
    public var text: String

    /// The `;`-separated parameters, in order.
    public var parameters: [Parameter]

    /// Parses the text after the payload type.
    public init(text: String) {
        self.text = String(text.trimmingSpaces)
        self.parameters = self.text.split(separator: ";").compactMap { item in
            let item = item.trimmingSpaces
            guard !item.isEmpty else { return nil }
            guard let equals = item.firstIndex(of: "=") else {
                return Parameter(key: String(item), value: "")
            }
            return Parameter(
                key: String(item[..<equals].trimmingSpaces),
                value: String(item[item.index(after: equals)...].trimmingSpaces)
            )
        }
    }

    /// The value of the first parameter with this key, ignoring ASCII case (RFC 7587 keys are case-insensitive).
    public subscript(key: String) -> String? {
        let key = key.lowercased()
        return self.parameters.first { $0.key.lowercased() == key }?.value
    }

    /// The parameters as a dictionary keyed by lowercased key; the first of duplicates wins.
    public var dictionary: [String: String] {
        var dictionary: [String: String] = [:]
        for parameter in self.parameters where dictionary[parameter.key.lowercased()] == nil {
            dictionary[parameter.key.lowercased()] = parameter.value
        }
        return dictionary
    }
}
