/// The CSeq header (RFC 3261 §20.16): a sequence number below 2**31 and the request method.
public struct SIPCSeq: Hashable, Sendable, CustomStringConvertible {
    public var sequence: UInt32
    public var method: SIPMethod
    public init(_ sequence: UInt32, _ method: SIPMethod) {
        self.sequence = sequence
        self.method = method
    }
    public var description: String { "\(sequence) \(method.rawValue)" }
}
