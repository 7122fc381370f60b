/// The `application/conference-info+xml` documents of the conference event package (RFC 4575),
/// rendered from the same ``RoomDetails`` the `info` command answers with, so the two views agree.
///
/// A room is one conference; each participant's user (their From address, or the address the
/// focus dialed) is a `user`, each of their calls an `endpoint` with one audio `media`. What RFC
/// 4575 has no element for (who is talking, whether the room is recorded) goes into elements of
/// Chorus's own namespace, which the schema lets through (`xs:any namespace="##other"`).
///
/// A subscription sends a full document first and then partial ones: the elements are rendered
/// one by one (``users(of:)``, ``conferenceState(of:)``), and the subscription compares them with
/// what it sent last (``Delta``).
///
/// URIs go into `xs:anyURI` attributes as SIP writes them. With IPv6 hosts (`sip:a@[::1]`) that is
/// what RFC 2396/2732, which XML Schema 1.0 refers to, admits, though libxml2's RFC 3986 check
/// refuses it; rewriting the URIs would make them no longer match the SIP addresses they name.
public enum ConferenceInfoDocument {
    /// The NOTIFY body's media type (RFC 4575 §3.3).
    public static let contentType = "application/conference-info+xml"
    /// The namespace of RFC 4575's elements, the documents' default namespace.
    public static let namespace = "urn:ietf:params:xml:ns:conference-info"
    /// Chorus's extension elements (`talking`, `recording`).
    public static let chorusNamespace = "urn:chorus:params:xml:ns:conference-info"

    /// One rendered `user` element, keyed by its entity.
    public struct User: Equatable, Sendable {
        /// The user's URI, the `entity` attribute.
        public var entity: String
        /// The whole `user` element, with its endpoints.
        public var xml: String
    }

    /// The `user` elements of the room, one per user entity, in the order users first joined.
    public static func users(of details: RoomDetails) -> [User] {
        var order: [String] = []
        var byEntity: [String: [ParticipantSummary]] = [:]
        for participant in details.participants {
            if byEntity[participant.entity] == nil { order.append(participant.entity) }
            byEntity[participant.entity, default: []].append(participant)
        }
        return order.map { entity in
            let endpoints = byEntity[entity] ?? []
            var xml = "<user entity=\"\(escaped(entity))\" state=\"full\">"
            if let name = endpoints.lazy.compactMap(\.displayName).first, !name.isEmpty {
                xml += "<display-text>\(escaped(name))</display-text>"
            }
            for endpoint in endpoints { xml += self.endpoint(endpoint) }
            xml += "</user>"
            return User(entity: entity, xml: xml)
        }
    }

    private static func endpoint(_ participant: ParticipantSummary) -> String {
        var xml = "<endpoint entity=\"\(escaped(participant.endpoint))\">"
        if let name = participant.displayName, !name.isEmpty { xml += "<display-text>\(escaped(name))</display-text>" }
        xml += "<status>\(participant.status)</status>"
        xml += "<joining-method>\(participant.joiningMethod)</joining-method>"
        xml += "<joining-info><when>\(escaped(participant.joinedAt))</when></joining-info>"
        xml += "<media id=\"\(participant.number)\"><type>audio</type><label>\(escaped(participant.mediaLabel))</label>"
        if let ssrc = participant.ssrc { xml += "<src-id>\(ssrc)</src-id>" }
        xml += "<status>\(participant.mediaStatus)</status>"
        xml += "<chorus:talking>\(participant.talking)</chorus:talking></media>"
        return xml + "</endpoint>"
    }

    /// The `conference-state` element: how many are in, whether it is locked and recorded.
    public static func conferenceState(of details: RoomDetails) -> String {
        "<conference-state><user-count>\(details.participants.count)</user-count><active>\(!details.participants.isEmpty)</active>"
            + "<locked>\(details.room.locked)</locked><chorus:recording>\(details.recording)</chorus:recording></conference-state>"
    }

    /// The `conference-description` element of full documents.
    public static func description(of details: RoomDetails, entity: String) -> String {
        var xml = "<conference-description>"
        xml += "<display-text>\(escaped(details.room.displayName ?? "Room \(details.room.id)"))</display-text>"
        xml += "<conf-uris><entry><uri>\(escaped(entity))</uri><purpose>participation</purpose></entry></conf-uris>"
        xml += "<maximum-user-count>\(details.room.maxParticipants)</maximum-user-count>"
        xml += "<available-media><entry label=\"audio\"><type>audio</type><status>sendrecv</status></entry></available-media>"
        return xml + "</conference-description>"
    }

    /// A whole document. `partial` documents carry only what changed: `conferenceState` when it
    /// did, the changed users (and `deleted` ones).
    public static func document(
        entity: String, version: UInt32, partial: Bool, description: String?, conferenceState: String?, users: [String]
    ) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<conference-info xmlns=\"\(namespace)\" xmlns:chorus=\"\(chorusNamespace)\" entity=\"\(escaped(entity))\""
        xml += " state=\"\(partial ? "partial" : "full")\" version=\"\(version)\">"
        if let description { xml += description }
        if let conferenceState { xml += conferenceState }
        if !partial || !users.isEmpty {
            xml += "<users\(partial ? " state=\"partial\"" : "")>" + users.joined() + "</users>"
        }
        return xml + "</conference-info>\n"
    }

    /// The `user` element of someone who left.
    public static func deletedUser(_ entity: String) -> String {
        "<user entity=\"\(escaped(entity))\" state=\"deleted\"/>"
    }

    /// What changed between two renderings of a room, for a partial notification.
    public struct Delta: Equatable, Sendable {
        /// Users new or changed (full `user` elements) and users gone (`deleted` ones).
        public var users: [String]
        /// The new `conference-state`, if it changed.
        public var conferenceState: String?
        /// Whether nothing changed: then no notification is sent.
        public var isEmpty: Bool { users.isEmpty && conferenceState == nil }

        /// Compares what a subscriber was last sent (`old`) with the room now (`new`).
        public init(from old: (users: [User], state: String), to new: (users: [User], state: String)) {
            let before = Dictionary(old.users.map { ($0.entity, $0.xml) }, uniquingKeysWith: { first, _ in first })
            let now = Set(new.users.map(\.entity))
            users = new.users.filter { before[$0.entity] != $0.xml }.map(\.xml)
                + old.users.filter { !now.contains($0.entity) }.map { ConferenceInfoDocument.deletedUser($0.entity) }
            conferenceState = old.state == new.state ? nil : new.state
        }
    }

    /// `&`, `<`, `>` and both quotes escaped, and characters XML 1.0 cannot carry dropped.
    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
