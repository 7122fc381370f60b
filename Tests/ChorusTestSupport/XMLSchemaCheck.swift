import Foundation
import XCTest

/// Validates XML documents against an XML Schema with `xmllint` (Debian's libxml2-utils), as a
/// child process with no network access needed.
public enum XMLSchemaCheck {
    public static let executable = "/usr/bin/xmllint"

    /// Fails on CI when xmllint is missing (Scripts/install-dependencies --test installs it); skips elsewhere.
    public static func requireInstalled() throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            if ProcessInfo.processInfo.environment["CI"] != nil { throw CheckError("xmllint is missing on CI") }
            throw XCTSkip("xmllint is not installed (apt-get install libxml2-utils)")
        }
    }

    /// Nil when `document` is valid against the schema at `schema`, else xmllint's complaint.
    public static func problems(in document: String, schema: URL) throws -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-xml-\(UUID().uuidString).xml")
        try document.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--noout", "--nonet", "--schema", schema.path, file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Read before waiting: a long complaint would fill the pipe and block xmllint forever.
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : output
    }

    public struct CheckError: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }
}
