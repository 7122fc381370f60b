/// A room that always exists, from `conference.rooms`: `ID`, optionally followed by `;name=Display
/// name` and `;max=N`, the way SIP writes parameters (e.g. `4200;name=Weekly sync;max=20`).
public struct RoomSpec: Sendable, Hashable, CustomStringConvertible {
    /// The Request-URI user part that dials the room.
    public var id: String
    public var name: String?
    /// Participants at most; nil: `conference.max_participants`.
    public var maxParticipants: Int?

    public init(id: String, name: String? = nil, maxParticipants: Int? = nil) {
        self.id = id
        self.name = name
        self.maxParticipants = maxParticipants
    }

    /// Characters a room id may use: RFC 3261 `unreserved` minus the ones that need escaping in
    /// practice, so an id is dialable as is from any phone.
    static func isRoomIDCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "-_.!~+".contains(character))
    }

    static func parse(_ text: String) throws(ConfigurationError) -> RoomSpec {
        var parts = text.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: " \t") }
        let id = parts.removeFirst()
        guard !id.isEmpty else { throw ConfigurationError(message: "\"\(text)\": a room needs an id before any ;parameter") }
        guard id.count <= 64, id.allSatisfy(isRoomIDCharacter) else {
            throw ConfigurationError(message: "\"\(id)\" is not a valid room id (letters, digits and - _ . ! ~ +, at most 64)")
        }
        var spec = RoomSpec(id: id)
        for part in parts {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, !pair[1].isEmpty else {
                throw ConfigurationError(message: "\"\(part)\" in room \(id) is not name=value")
            }
            switch pair[0].lowercased() {
            case "name":
                guard spec.name == nil else { throw ConfigurationError(message: "room \(id) has name twice") }
                guard pair[1].unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                    throw ConfigurationError(message: "room \(id): name must not contain control characters")
                }
                spec.name = pair[1]
            case "max":
                guard spec.maxParticipants == nil else { throw ConfigurationError(message: "room \(id) has max twice") }
                guard let max = Int(pair[1]), (2...10_000).contains(max) else {
                    throw ConfigurationError(message: "room \(id): max must be an integer from 2 to 10000, got \"\(pair[1])\"")
                }
                spec.maxParticipants = max
            default:
                throw ConfigurationError(message: "room \(id): unknown parameter \"\(pair[0])\" (expected name or max)")
            }
        }
        return spec
    }

    public var description: String {
        var out = id
        if let name { out += ";name=\(name)" }
        if let maxParticipants { out += ";max=\(maxParticipants)" }
        return out
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let first = s.first, set.contains(first) { s.removeFirst() }
        while let last = s.last, set.contains(last) { s.removeLast() }
        return String(s)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}
