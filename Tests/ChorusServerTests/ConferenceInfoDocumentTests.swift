import ChorusConference
import ChorusTestSupport
import Foundation
import XCTest

/// The `application/conference-info+xml` documents on their own, for every state a participant
/// can be in (the integration tests only meet a few): each one validated with xmllint against
/// RFC 4575's schema (`Fixtures/conference-info.xsd`), with escaping and the partial-document
/// deltas checked by content.
final class ConferenceInfoDocumentTests: XCTestCase {
    private let entity = "sip:4200@conf.example.com:5060"

    private func assertValid(_ document: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let problems = try XMLSchemaCheck.problems(in: document, schema: ConferenceEventsIntegrationTests.schema)
        XCTAssertNil(problems, "\(problems ?? "")\n\(document)", file: file, line: line)
    }

    private func participant(
        _ number: Int, _ uri: String, name: String? = nil, status: String = "connected", media: String = "sendrecv",
        joining: String = "dialed-in", talking: Bool = false, ssrc: UInt32? = nil
    ) -> ParticipantSummary {
        ParticipantSummary(
            number: number, displayName: name, uri: uri, codec: "opus/48000/2", talking: talking, joinedAt: "2026-11-25T09:30:00Z",
            endpoint: uri + ";transport=udp", status: status, joiningMethod: joining, mediaStatus: media, ssrc: ssrc)
    }

    /// Every endpoint status and media direction Chorus produces, names that need escaping, a
    /// user with two calls.
    private var busyRoom: RoomDetails {
        RoomDetails(
            room: RoomSummary(id: "4200", displayName: "R&D <weekly> \"sync\" 'n' stuff", participants: 7, maxParticipants: 20, locked: true),
            owners: ["sip:owner@example.com"],
            participants: [
                participant(1, "sip:alice@example.com", name: "Alice & <Bob>", talking: true, ssrc: UInt32.max),
                participant(2, "sip:alice@example.com", name: "Alice \u{1}on her desk phone\u{FFFE}", status: "on-hold", media: "recvonly"),
                participant(3, "sip:carol@example.com", status: "muted-via-focus", media: "recvonly", ssrc: 0),
                participant(4, "sip:dave@example.com", status: "pending", media: "inactive"),
                participant(5, "sip:erin@example.com", status: "dialing-out", media: "inactive", joining: "dialed-out"),
                participant(6, "sip:frank@example.com", media: "sendonly"),
                participant(7, "sip:+15551234@example.com;user=phone", status: "dialing-in", media: "inactive"),
            ],
            recording: true)
    }

    func testAFullDocumentOfEveryParticipantStateIsValidAndEscaped() throws {
        try XMLSchemaCheck.requireInstalled()
        let details = busyRoom
        let users = ConferenceInfoDocument.users(of: details)
        XCTAssertEqual(users.map(\.entity), [
            "sip:alice@example.com", "sip:carol@example.com", "sip:dave@example.com", "sip:erin@example.com", "sip:frank@example.com",
            "sip:+15551234@example.com;user=phone",
        ], "one user per entity, in the order they joined")
        let document = ConferenceInfoDocument.document(
            entity: entity, version: 1, partial: false, description: ConferenceInfoDocument.description(of: details, entity: entity),
            conferenceState: ConferenceInfoDocument.conferenceState(of: details), users: users.map(\.xml))
        try assertValid(document)
        XCTAssertTrue(document.contains("<display-text>R&amp;D &lt;weekly&gt; &quot;sync&quot; &apos;n&apos; stuff</display-text>"), document)
        XCTAssertTrue(document.contains("<display-text>Alice &amp; &lt;Bob&gt;</display-text>"), document)
        XCTAssertTrue(document.contains("<display-text>Alice on her desk phone</display-text>"), "characters XML cannot carry are dropped")
        XCTAssertEqual(users[0].xml.components(separatedBy: "<endpoint ").count, 3, "alice's two calls are two endpoints of one user")
        XCTAssertTrue(document.contains("<src-id>4294967295</src-id>"), document)
        XCTAssertTrue(document.contains("<locked>true</locked><chorus:recording>true</chorus:recording>"), document)
        XCTAssertTrue(document.contains("<maximum-user-count>20</maximum-user-count>"), document)
        for status in ["connected", "on-hold", "muted-via-focus", "pending", "dialing-out", "dialing-in"] {
            XCTAssertTrue(document.contains("<status>\(status)</status>"), status)
        }
    }

    func testAnEmptyRoomAndTheTerminatingDocumentAreValid() throws {
        try XMLSchemaCheck.requireInstalled()
        let empty = RoomDetails(room: RoomSummary(id: "4300", participants: 0, maxParticipants: 10))
        let full = ConferenceInfoDocument.document(
            entity: entity, version: 1, partial: false, description: ConferenceInfoDocument.description(of: empty, entity: entity),
            conferenceState: ConferenceInfoDocument.conferenceState(of: empty), users: [])
        try assertValid(full)
        XCTAssertTrue(full.contains("<users></users>"), "a full document lists the users, none here")
        XCTAssertTrue(full.contains("<active>false</active>"), full)
        XCTAssertTrue(full.contains("<display-text>Room 4300</display-text>"), full)
        let last = ConferenceInfoDocument.document(entity: entity, version: 9, partial: true, description: nil, conferenceState: nil, users: [])
        try assertValid(last)
        XCTAssertFalse(last.contains("<users"), "a partial document without changes names no users")
    }

    func testPartialDocumentsCarryOnlyWhatChangedAndValidate() throws {
        try XMLSchemaCheck.requireInstalled()
        let before = busyRoom
        var after = before
        after.participants.removeAll { $0.uri == "sip:dave@example.com" }  // dave left
        after.participants[2].status = "connected"  // carol unmuted
        after.participants[2].mediaStatus = "sendrecv"
        after.participants.append(participant(8, "sip:gina@example.com"))  // gina joined
        after.room.locked = false
        let old = (ConferenceInfoDocument.users(of: before), ConferenceInfoDocument.conferenceState(of: before))
        let new = (ConferenceInfoDocument.users(of: after), ConferenceInfoDocument.conferenceState(of: after))
        let delta = ConferenceInfoDocument.Delta(from: old, to: new)
        XCTAssertEqual(delta.users.count, 3, "carol changed, gina joined, dave left: \(delta.users)")
        XCTAssertTrue(delta.users.contains { $0.hasPrefix("<user entity=\"sip:carol@example.com\" state=\"full\">") })
        XCTAssertTrue(delta.users.contains { $0.hasPrefix("<user entity=\"sip:gina@example.com\" state=\"full\">") })
        XCTAssertTrue(delta.users.contains("<user entity=\"sip:dave@example.com\" state=\"deleted\"/>"))
        XCTAssertFalse(delta.users.contains { $0.contains("sip:alice@") }, "alice did not change")
        XCTAssertEqual(delta.conferenceState?.contains("<locked>false</locked>"), true)
        let document = ConferenceInfoDocument.document(
            entity: entity, version: 2, partial: true, description: nil, conferenceState: delta.conferenceState, users: delta.users)
        try assertValid(document)
        XCTAssertTrue(document.contains("state=\"partial\" version=\"2\""), document)
        XCTAssertTrue(document.contains("<users state=\"partial\">"), document)

        XCTAssertTrue(ConferenceInfoDocument.Delta(from: new, to: new).isEmpty, "nothing changed, nothing to send")
    }
}
