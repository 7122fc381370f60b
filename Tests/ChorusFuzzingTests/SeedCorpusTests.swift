import ChorusFuzzing
import Foundation
import XCTest

/// Every harness over its seed corpus in `Fuzz/corpus/HARNESS/` (and over every crash that was
/// found and fixed, kept there): none may trap. This is what the libFuzzer runs start from.
final class SeedCorpusTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    func testEveryHarnessHasASeedCorpusThatRunsClean() throws {
        for harness in FuzzHarness.allCases {
            let directory = Self.corpus.appendingPathComponent(harness.rawValue)
            let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            XCTAssertGreaterThanOrEqual(files.count, 5, "\(harness) needs seeds")
            for file in files {
                let bytes = try Data(contentsOf: file)
                harness.run(Array(bytes))
                // Each seed's truncations too: cheap, and the edges of every length field.
                for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 16)) {
                    harness.run(Array(bytes.prefix(length)))
                }
            }
        }
    }
}
