import XCTest

@testable import ChorusServer

/// Receivers' bitrate caps are rounded down to a few classes, so that listeners of the common
/// mix whose phones ask for slightly different rates share one encoder.
final class OpusBitrateClassTests: XCTestCase {
    func testCapsRoundDownToAClassAndTheConfiguredRateIsKept() {
        XCTAssertEqual(Focus.opusBitrateClass(32_000, configured: 32_000), 32_000)
        XCTAssertEqual(Focus.opusBitrateClass(64_000, configured: 32_000), 32_000, "never above the configured rate")
        XCTAssertEqual(Focus.opusBitrateClass(30_000, configured: 32_000), 24_000)
        XCTAssertEqual(Focus.opusBitrateClass(28_000, configured: 32_000), 24_000, "30 and 28 kbit/s share an encoder")
        XCTAssertEqual(Focus.opusBitrateClass(12_500, configured: 32_000), 12_000)
        XCTAssertEqual(Focus.opusBitrateClass(5_000, configured: 32_000), 6_000, "Opus needs 6 kbit/s at least")
        XCTAssertEqual(Focus.opusBitrateClass(40_000, configured: 36_000), 36_000, "an unusual configured rate stays as it is")
        XCTAssertEqual(Focus.opusBitrateClass(35_000, configured: 36_000), 32_000)
    }
}
