/// A configuration that cannot be used. ``message`` names where the problem is (file, line and
/// column, or environment variable) and the key path; several problems are reported at once, one
/// per line.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
