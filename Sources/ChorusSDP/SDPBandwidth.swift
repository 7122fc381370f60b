/// A `b=` line: `b=AS:64` (kilobits per second for `AS` and `CT`, bits per second for `TIAS`).
public struct SDPBandwidth: Equatable, Sendable {
    /// The bandwidth type, e.g. `AS`, `CT` or `TIAS`.
    public var type: String

    /// The bandwidth, in the unit the type implies.
    public var value: Int

    /// Creates a bandwidth line.
    public init(type: String, value: Int) {
        self.type = type
        self.value = value
    }

    /// The value after `b=`.
    var fieldValue: String {
        "\(self.type):\(self.value)"
    }
}
