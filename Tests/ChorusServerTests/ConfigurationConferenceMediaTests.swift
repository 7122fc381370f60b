import XCTest
@testable import ChorusServer

/// The `conference` and `media` sections.
final class ConfigurationConferenceMediaTests: XCTestCase {
    func testRoomsFromFileWithNameAndMax() throws {
        let configuration = try XCTUnwrap(loadConfiguration("""
            conference:
              rooms:
                - "4200;name=Weekly sync;max=20"
                - "4300"
              auto_create: false
            """))
        XCTAssertEqual(configuration.conference.rooms, [
            RoomSpec(id: "4200", name: "Weekly sync", maxParticipants: 20),
            RoomSpec(id: "4300"),
        ])
        XCTAssertFalse(configuration.conference.autoCreate)
        XCTAssertEqual(configuration.conference.maxParticipants, 100, "omitted keys keep their default")
    }

    func testRoomsFromEnvironment() throws {
        let configuration = try XCTUnwrap(loadConfiguration("", environment: [
            "CHORUS_CONFERENCE_ROOMS": "4200;max=5, sales",
            "CHORUS_CONFERENCE_AUTO_CREATE": "false",
        ]))
        XCTAssertEqual(configuration.conference.rooms, [RoomSpec(id: "4200", maxParticipants: 5), RoomSpec(id: "sales")])
        XCTAssertFalse(configuration.conference.autoCreate)
    }

    func testBadRoomsNameTheProblemAndLine() {
        let cases: [(String, String)] = [
            ("\"42 00\"", "\"42 00\" is not a valid room id"),
            ("\"4200;max=1\"", "room 4200: max must be an integer from 2 to 10000, got \"1\""),
            ("\"4200;colour=red\"", "room 4200: unknown parameter \"colour\""),
            ("\";name=x\"", "a room needs an id"),
            ("\"4200;max\"", "\"max\" in room 4200 is not name=value"),
        ]
        for (entry, expected) in cases {
            let message = configurationError("conference:\n  rooms:\n    - \(entry)\n")
            XCTAssertTrue(message.contains(expected), "\(entry): \(message)")
            XCTAssertTrue(message.contains("line 3"), "\(entry): \(message)")
        }
        XCTAssertTrue(configurationError("conference:\n  rooms: [\"4200\", \"4200\"]\n").contains("4200 is listed twice"))
    }

    func testAutoCreateMustBeABoolean() {
        let message = configurationError("conference:\n  auto_create: maybe\n")
        XCTAssertTrue(message.contains("conference.auto_create"), message)
        XCTAssertTrue(message.contains("unknown boolean \"maybe\""), message)
    }

    func testMediaSettings() throws {
        let configuration = try XCTUnwrap(loadConfiguration("""
            media:
              public_address: 203.0.113.5
              port_min: 40000
              port_max: 40100
              srtp: required
              inactivity_timeout_seconds: 10
              opus:
                bitrate: 24000
                complexity: 2
              align_ticks_to_talkers: false
            """))
        let media = configuration.media
        XCTAssertEqual(media.publicAddress, "203.0.113.5")
        XCTAssertEqual(media.portMin...media.portMax, 40000...40100)
        XCTAssertEqual(media.srtp, .required)
        XCTAssertEqual(media.inactivityTimeout, .seconds(10))
        XCTAssertEqual(media.opus, .init(bitrate: 24000, complexity: 2))
        XCTAssertFalse(media.alignTicksToTalkers)
        XCTAssertTrue(try XCTUnwrap(loadConfiguration("")).media.alignTicksToTalkers, "on by default")
        XCTAssertEqual(try XCTUnwrap(loadConfiguration("", environment: ["CHORUS_MEDIA_SRTP": "off"])).media.srtp, .off)
    }

    func testMediaPortRangeRules() {
        XCTAssertTrue(configurationError("media:\n  port_min: 20001\n").contains("media.port_min (20001) must be even"))
        let inverted = configurationError("media:\n  port_min: 30000\n  port_max: 29000\n")
        XCTAssertTrue(inverted.contains("media.port_max (29000) must be above media.port_min (30000)"), inverted)
        let low = configurationError("media:\n  port_min: 80\n")
        XCTAssertTrue(low.contains("media.port_min") && low.contains("out of range"), low)
    }

    func testUnknownSrtpPolicy() {
        let message = configurationError("media:\n  srtp: sometimes\n")
        XCTAssertTrue(message.contains("unknown SRTP policy \"sometimes\" (expected optional, required or off)"), message)
        XCTAssertTrue(message.contains("line 2"), message)
    }
}
