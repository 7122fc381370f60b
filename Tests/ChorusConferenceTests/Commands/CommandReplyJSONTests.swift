import ChorusConference
import Foundation
import XCTest

final class CommandReplyJSONTests: XCTestCase {
    /// The documented envelope, decoded independently of how the server encodes it.
    private struct Envelope<Result: Decodable>: Decodable {
        var ok: Bool
        var result: Result?
        var error: String?
    }

    private struct Message: Decodable, Equatable { var message: String }
    private struct Help: Decodable, Equatable { var help: String }
    private struct Rooms: Decodable, Equatable { var rooms: [RoomSummary] }
    private struct Who: Decodable, Equatable { var participants: [ParticipantSummary] }

    private func decode<Result: Decodable>(
        _ reply: CommandReply, as type: Result.Type, file: StaticString = #filePath, line: UInt = #line
    ) throws -> Envelope<Result> {
        let rendered = reply.rendered(json: true)
        XCTAssertEqual(rendered.contentType, "application/json", file: file, line: line)
        return try JSONDecoder().decode(Envelope<Result>.self, from: Data(rendered.body.utf8))
    }

    func testOkAndError() throws {
        let ok = try self.decode(.ok("room 4200 locked"), as: Message.self)
        XCTAssertTrue(ok.ok)
        XCTAssertEqual(ok.result, Message(message: "room 4200 locked"))
        XCTAssertEqual(CommandReply.ok("a/b").rendered(json: true).body, #"{"ok":true,"result":{"message":"a/b"}}"#)

        let error = try self.decode(.error("create: missing ROOM"), as: Message.self)
        XCTAssertFalse(error.ok)
        XCTAssertNil(error.result)
        XCTAssertEqual(error.error, "create: missing ROOM")
        XCTAssertEqual(CommandReply.error("x \"y\"").rendered(json: true).body, #"{"error":"x \"y\"","ok":false}"#)
    }

    func testHelp() throws {
        let text = CommandHelp.text(for: nil)
        let decoded = try self.decode(.help(text), as: Help.self)
        XCTAssertEqual(decoded.result, Help(help: text))
    }

    func testRooms() throws {
        let rooms = [CommandReplyFixtures.standup, CommandReplyFixtures.lobby]
        let decoded = try self.decode(.rooms(rooms), as: Rooms.self)
        XCTAssertTrue(decoded.ok)
        XCTAssertEqual(decoded.result, Rooms(rooms: rooms))
        XCTAssertEqual(try self.decode(.rooms([]), as: Rooms.self).result, Rooms(rooms: []))
    }

    func testDetails() throws {
        let decoded = try self.decode(.details(CommandReplyFixtures.details), as: RoomDetails.self)
        XCTAssertEqual(decoded.result, CommandReplyFixtures.details)
    }

    func testWho() throws {
        let participants = [CommandReplyFixtures.alice, CommandReplyFixtures.bob]
        XCTAssertEqual(try self.decode(.who(participants), as: Who.self).result, Who(participants: participants))
    }

    func testKeysAreStableAndAlwaysPresent() throws {
        let body = CommandReply.rooms([CommandReplyFixtures.lobby]).rendered(json: true).body
        XCTAssertEqual(
            body,
            #"{"ok":true,"result":{"rooms":[{"displayName":null,"hasPIN":false,"id":"4200","locked":false,"maxParticipants":10000,"moderated":false,"participants":0}]}}"#
        )
        let who = CommandReply.who([CommandReplyFixtures.bob]).rendered(json: true).body
        let object = try JSONSerialization.jsonObject(with: Data(who.utf8)) as? [String: Any]
        let result = object?["result"] as? [String: Any]
        let participant = (result?["participants"] as? [[String: Any]])?.first
        XCTAssertEqual(
            participant.map { Set($0.keys) },
            [
                "number", "displayName", "uri", "codec", "srtp", "muted", "deaf", "talking", "joinedAt", "lossPercent", "jitterMs", "inLobby",
                "entity", "endpoint", "status", "joiningMethod", "mediaStatus", "mediaLabel", "ssrc",
            ])
        XCTAssertTrue(participant?["lossPercent"] is NSNull)
        XCTAssertTrue(participant?["ssrc"] is NSNull)
    }

    func testStatisticsThatAreNotFiniteBecomeNull() throws {
        var odd = CommandReplyFixtures.alice
        odd.lossPercent = .nan
        odd.jitterMs = .infinity
        let decoded = try self.decode(.who([odd]), as: Who.self)
        XCTAssertTrue(decoded.ok)
        XCTAssertNil(decoded.result?.participants.first?.lossPercent)
        XCTAssertNil(decoded.result?.participants.first?.jitterMs)
    }
}
