import XCTest

@testable import ChorusSDP

final class Base64Tests: XCTestCase {
    func testRFC4648Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.encode(Array(plain.utf8)), encoded)
            XCTAssertEqual(Base64.decode(encoded), Array(plain.utf8), encoded)
        }
    }

    func testAllByteValuesRoundTrip() {
        for length in 0...70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + length) }
            XCTAssertEqual(Base64.decode(Base64.encode(bytes)), bytes)
        }
    }

    func testRejectsMalformedInput() {
        for bad in ["Zg", "Zg=", "Z===", "Zm9v=", "Zm=v", "=Zm9", "Zm9v\n", "Zm 9", "Zm9*", "Zm9vYg=A"] {
            XCTAssertNil(Base64.decode(bad), bad)
        }
    }

    func testRejectsNonCanonicalTrailingBits() {
        // "Zh==" decodes to "f" with leftover bits set: a second spelling of the same key.
        XCTAssertNil(Base64.decode("Zh=="))
        XCTAssertNil(Base64.decode("Zm9="))
        XCTAssertEqual(Base64.decode("Zm8="), Array("fo".utf8))
    }

    func testThirtyByteKeyHasNoPadding() {
        let key = Base64.encode([UInt8](repeating: 1, count: 30))
        XCTAssertEqual(key.count, 40)
        XCTAssertFalse(key.contains("="))
    }
}
