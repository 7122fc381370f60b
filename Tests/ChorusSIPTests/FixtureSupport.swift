import Foundation
import XCTest

@testable import ChorusSIP

/// Loads the message corpus in `Fixtures/valid` and `Fixtures/invalid`, found relative to this file.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// File names (without `.sip`) in a corpus folder, sorted.
    static func names(_ folder: String) -> [String] {
        let url = directory.appendingPathComponent(folder)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return files.filter { $0.hasSuffix(".sip") }.map { String($0.dropLast(4)) }.sorted()
    }

    static func bytes(_ folder: String, _ name: String) -> [UInt8] {
        let url = directory.appendingPathComponent(folder).appendingPathComponent(name + ".sip")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            XCTFail("missing fixture \(folder)/\(name).sip")
            return []
        }
        return [UInt8](data)
    }

    /// Every corpus message, valid and invalid.
    static func all() -> [[UInt8]] {
        names("valid").map { bytes("valid", $0) } + names("invalid").map { bytes("invalid", $0) }
    }
}

/// Parses as a datagram, failing the test with the parser's reason on error.
func parseOK(_ bytes: [UInt8], framing: SIPFraming = .datagram, file: StaticString = #filePath, line: UInt = #line)
    -> SIPMessage?
{
    do {
        return try SIPMessageParser.parse(bytes, framing: framing)
    } catch {
        XCTFail("parse failed: \(error.reason)", file: file, line: line)
        return nil
    }
}

func parseError(_ bytes: [UInt8], framing: SIPFraming = .datagram, limits: SIPParserLimits = .init()) -> SIPParseError? {
    do {
        _ = try SIPMessageParser.parse(bytes, framing: framing, limits: limits)
        return nil
    } catch {
        return error
    }
}

extension SIPMessage {
    var request: SIPRequest? {
        if case .request(let r) = self { return r }
        return nil
    }
    var response: SIPResponse? {
        if case .response(let r) = self { return r }
        return nil
    }
}

/// A tiny deterministic PRNG (SplitMix64) for reproducible mutation tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func msg(_ text: String) -> [UInt8] {
    Array(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
}
