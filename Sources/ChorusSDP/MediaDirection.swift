/// The direction attribute of a stream (RFC 3264 §5.1), from the point of view of whoever wrote it.
public enum MediaDirection: String, Equatable, Sendable, CaseIterable {
    /// Sends and receives.
    case sendrecv
    /// Only sends.
    case sendonly
    /// Only receives.
    case recvonly
    /// Neither sends nor receives.
    case inactive

    /// The direction the other side answers with: `sendonly` becomes `recvonly` and the reverse.
    public var reversed: MediaDirection {
        switch self {
        case .sendrecv: return .sendrecv
        case .sendonly: return .recvonly
        case .recvonly: return .sendonly
        case .inactive: return .inactive
        }
    }

    /// Whether the side this direction describes sends media.
    public var sends: Bool {
        self == .sendrecv || self == .sendonly
    }

    /// Whether the side this direction describes receives media.
    public var receives: Bool {
        self == .sendrecv || self == .recvonly
    }

    /// The direction with the given abilities.
    init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }
}
