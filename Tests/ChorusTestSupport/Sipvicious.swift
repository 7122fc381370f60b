import Foundation
import XCTest

/// SIPVicious (PyPI `sipvicious`), the scanner and password cracker attackers run against SIP
/// servers: `svmap` finds SIP devices, `svwar` enumerates extensions, `svcrack` guesses passwords.
public enum Sipvicious {
    public enum Tool: String, Sendable {
        case svmap, svwar, svcrack
    }

    /// The tool's path on PATH (pip installs them as `sipvicious_svmap` and so on).
    public static func path(of tool: Tool) -> URL? {
        let name = "sipvicious_\(tool.rawValue)"
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/local/bin", "/root/.local/bin"]
        return directories.map { URL(fileURLWithPath: $0).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Fails the test when the tools are missing on CI (which installs them); skips elsewhere.
    public static func requireInstalled() throws {
        guard path(of: .svmap) != nil, path(of: .svwar) != nil, path(of: .svcrack) != nil else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                throw ChorusProcess.ProcessError("sipvicious is not installed, and CI must have it (Scripts/install-dependencies --test)")
            }
            throw XCTSkip("sipvicious is not installed (python3 -m pip install sipvicious)")
        }
    }

    /// Runs a tool to completion (bounded by `timeout`) and returns everything it printed.
    public static func run(_ tool: Tool, _ arguments: [String], timeout: Duration = .seconds(120)) async throws -> String {
        guard let executable = path(of: tool) else { throw ChorusProcess.ProcessError("\(tool) is not installed") }
        let child = ChorusProcess(executable: executable, arguments)
        try child.start()
        _ = try await child.waitForExit(timeout: timeout)
        try await Task.sleep(for: .milliseconds(100))  // let the pipe drain
        return child.text
    }
}
