import Foundation
import XCTest

/// Debian's opus-tools (`opusinfo`, `opusdec`) run on recordings, as an independent check that
/// a file is valid Ogg Opus and of what it holds.
public enum OpusTools {
    public static let opusinfo = "/usr/bin/opusinfo"
    public static let opusdec = "/usr/bin/opusdec"

    /// Fails on CI when opus-tools is missing (Scripts/install-dependencies --test installs it); skips elsewhere.
    public static func requireInstalled() throws {
        guard FileManager.default.isExecutableFile(atPath: opusinfo), FileManager.default.isExecutableFile(atPath: opusdec) else {
            if ProcessInfo.processInfo.environment["CI"] != nil { throw ToolError("opus-tools is missing on CI") }
            throw XCTSkip("opus-tools is not installed (apt-get install opus-tools)")
        }
    }

    /// `opusinfo FILE`: its exit status and what it printed.
    public static func info(_ file: URL) throws -> (status: Int32, output: String) {
        try run(opusinfo, [file.path])
    }

    /// Decodes with `opusdec` to 48 kHz and returns the samples (mono as recorded).
    public static func decode(_ file: URL) throws -> [Int16] {
        let wav = file.deletingPathExtension().appendingPathExtension("decoded.wav")
        defer { try? FileManager.default.removeItem(at: wav) }
        let (status, output) = try run(opusdec, ["--quiet", "--rate", "48000", file.path, wav.path])
        guard status == 0 else { throw ToolError("opusdec failed (\(status)): \(output)") }
        return try WAVFile.read(wav).samples
    }

    private static func run(_ tool: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    public struct ToolError: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }
}
