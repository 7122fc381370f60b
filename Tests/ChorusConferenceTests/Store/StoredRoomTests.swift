import ChorusConference
import Foundation
import XCTest

final class StoredRoomTests: XCTestCase {
    private let pin = "31337"

    private func room(pin: String?) -> StoredRoom {
        StoredRoom(
            id: "ops", displayName: "Ops bridge", pin: pin, maxParticipants: 6,
            owners: ["sip:alice@example.com"], createdAt: Date(timeIntervalSince1970: 0))
    }

    func testDescriptionSaysWhetherAPINIsSetButNeverShowsIt() {
        let withPIN = room(pin: pin)
        XCTAssertTrue(withPIN.description.contains("pin: set"), withPIN.description)
        XCTAssertFalse(withPIN.description.contains(pin), withPIN.description)
        XCTAssertTrue(withPIN.description.contains("ops"))
        XCTAssertTrue(withPIN.description.contains("sip:alice@example.com"))
        XCTAssertTrue(room(pin: nil).description.contains("pin: none"))
    }

    func testInterpolationDebugDescriptionAndDumpRedactThePIN() {
        let withPIN = room(pin: pin)
        var dumped = ""
        dump(withPIN, to: &dumped)
        for text in ["\(withPIN)", String(reflecting: withPIN), "\([withPIN])", dumped] {
            XCTAssertFalse(text.contains(pin), text)
        }
        XCTAssertTrue(dumped.contains("set"), dumped)
    }
}
