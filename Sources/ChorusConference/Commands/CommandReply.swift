/// What the server answers to a command, before it is rendered as text or JSON.
public enum CommandReply: Equatable, Sendable {
    /// Success in one line, e.g. `room 4200 locked`.
    case ok(String)
    /// Failure in one line, e.g. a ``CommandError``'s message.
    case error(String)
    /// The text of `help`.
    case help(String)
    /// The answer to `rooms`.
    case rooms([RoomSummary])
    /// The answer to `info`.
    case details(RoomDetails)
    /// The answer to `who`.
    case who([ParticipantSummary])
    /// The answer to `recordings`, oldest first.
    case recordings([RecordingSummary])

    /// The reply to a command that could not be parsed.
    public init(_ error: CommandError) {
        self = .error(error.message)
    }

    /// The reply as a MESSAGE body.
    ///
    /// Text is human-readable: tables with aligned columns for rooms and participants.
    /// JSON is compact with sorted keys; its shape is stable:
    /// - failure: `{"ok":false,"error":"…"}`
    /// - ``ok(_:)``: `{"ok":true,"result":{"message":"…"}}`
    /// - ``help(_:)``: `{"ok":true,"result":{"help":"…"}}`
    /// - ``rooms(_:)``: `{"ok":true,"result":{"rooms":[RoomSummary…]}}`
    /// - ``details(_:)``: `{"ok":true,"result":{"room":RoomSummary,"owners":[…],"participants":[ParticipantSummary…]}}`
    /// - ``who(_:)``: `{"ok":true,"result":{"participants":[ParticipantSummary…]}}`
    /// - ``recordings(_:)``: `{"ok":true,"result":{"recordings":[RecordingSummary…]}}`
    public func rendered(json: Bool) -> RenderedReply {
        if json {
            return RenderedReply(contentType: RenderedReply.jsonContentType, body: self.jsonBody())
        }
        return RenderedReply(contentType: RenderedReply.textContentType, body: self.textBody())
    }
}
