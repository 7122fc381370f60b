/// Bounds on the input the parser accepts, so a hostile body cannot make it do unbounded work.
public enum SDPLimits {
    /// The largest body accepted, in bytes.
    public static let maximumBytes = 64 * 1024

    /// The most non-blank lines accepted.
    public static let maximumLines = 1_000

    /// The most media sections accepted.
    public static let maximumMediaSections = 64
}
