/// A line Chorus keeps without interpreting it (`u=`, `e=`, `p=`, `r=`, `z=`, `k=`, or an unknown type),
/// so that a parsed description serializes back without losing anything.
public struct SDPLine: Equatable, Sendable {
    /// The line type: the lowercase letter before `=`.
    public var type: Character

    /// Everything after `=`.
    public var value: String

    /// Creates a line.
    public init(type: Character, value: String) {
        self.type = type
        self.value = value
    }

    /// Where the line goes among the session-level lines in RFC 8866 order:
    /// 0 before `c=` (`u`, `e`, `p`), 1 after the `t=` lines (`r`, `z`, `k`), 2 after those (unknown types).
    var sessionLevelRank: Int {
        switch self.type {
        case "u", "e", "p": return 0
        case "r", "z", "k": return 1
        default: return 2
        }
    }
}
