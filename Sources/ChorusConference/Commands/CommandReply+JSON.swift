import Foundation

extension CommandReply {
    /// `{"ok":true,"result":…}`
    private struct Success<Result: Encodable>: Encodable {
        var ok = true
        var result: Result
    }

    /// `{"ok":false,"error":"…"}`
    private struct Failure: Encodable {
        var ok = false
        var error: String
    }

    private struct MessageResult: Encodable { var message: String }
    private struct HelpResult: Encodable { var help: String }
    private struct RoomsResult: Encodable { var rooms: [RoomSummary] }
    private struct WhoResult: Encodable { var participants: [ParticipantSummary] }
    private struct RecordingsResult: Encodable { var recordings: [RecordingSummary] }

    /// The JSON body; the shapes are documented on ``rendered(json:)``.
    func jsonBody() -> String {
        switch self {
        case .ok(let message):
            return Self.encoded(Success(result: MessageResult(message: message)))
        case .error(let message):
            return Self.encoded(Failure(error: message))
        case .help(let text):
            return Self.encoded(Success(result: HelpResult(help: text)))
        case .rooms(let rooms):
            return Self.encoded(Success(result: RoomsResult(rooms: rooms)))
        case .details(let details):
            return Self.encoded(Success(result: details))
        case .who(let participants):
            return Self.encoded(Success(result: WhoResult(participants: participants)))
        case .recordings(let recordings):
            return Self.encoded(Success(result: RecordingsResult(recordings: recordings)))
        }
    }

    private static func encoded(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        // Sorted keys keep the output byte-stable for clients and tests; slashes stay readable in URIs.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) else {
            // Only non-finite numbers make JSONEncoder fail, and the summaries encode those as null.
            return #"{"error":"the reply could not be encoded","ok":false}"#
        }
        return text
    }
}
