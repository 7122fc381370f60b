/// An `a=` line: `a=name` (a flag) or `a=name:value`.
public struct SDPAttribute: Equatable, Sendable {
    /// The attribute name, e.g. `rtpmap`.
    public var name: String

    /// The text after the first colon; nil for a flag such as `a=rtcp-mux`.
    public var value: String?

    /// Creates an attribute.
    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }

    /// The value after `a=`.
    var fieldValue: String {
        if let value = self.value {
            return "\(self.name):\(value)"
        }
        return self.name
    }

    /// Whether the name matches, ignoring ASCII case (devices are inconsistent about it).
    func hasName(_ name: String) -> Bool {
        self.name.lowercased() == name.lowercased()
    }
}
