import Foundation
import NIOCore
import NIOPosix
import XCTest

/// The built `chorus` executable (or another of the package's, such as `chorus-load`), run as a
/// child process with a bounded lifetime.
public final class ChorusProcess: @unchecked Sendable {
    /// The package's executables sit next to the test bundle in SwiftPM's build folder.
    public static func executable(_ name: String = "chorus") -> URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    }

    public struct Result: Sendable {
        public var status: Int32
        public var output: String
    }

    public let process = Process()
    private let output = Pipe()
    private let lock = NSLock()
    private var collected = Data()

    /// One of the package's executables (`chorus` by default).
    public convenience init(_ arguments: [String], environment: [String: String] = [:], executable: String = "chorus") {
        self.init(executable: Self.executable(executable), arguments, environment: environment)
    }

    /// Any other program, run the same way (output collected, lifetime bounded).
    public init(executable: URL, _ arguments: [String], environment: [String: String] = [:]) {
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHORUS_") }
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.collected.append(data) }
        }
    }

    public var text: String { lock.withLock { String(decoding: collected, as: UTF8.self) } }

    public func start() throws { try process.run() }

    /// Waits until the output contains `marker`, or fails after `timeout`.
    public func waitForOutput(_ marker: String, timeout: Duration = .seconds(15)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if text.contains(marker) { return }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ProcessError("'\(marker)' did not appear; output so far:\n\(text)")
    }

    /// Waits for exit up to `timeout`, killing the process if it is still running then.
    public func waitForExit(timeout: Duration = .seconds(15)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            process.terminate()
            kill(process.processIdentifier, SIGKILL)
            throw ProcessError("did not exit within \(timeout); output:\n\(text)")
        }
        return process.terminationStatus
    }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        output.fileHandleForReading.readabilityHandler = nil
    }

    /// Runs `chorus ARGS` (or another executable's) to completion.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], executable: String = "chorus", timeout: Duration = .seconds(30)
    ) async throws -> Result {
        let child = ChorusProcess(arguments, environment: environment, executable: executable)
        try child.start()
        let status = try await child.waitForExit(timeout: timeout)
        try await Task.sleep(for: .milliseconds(50))  // let the pipe drain
        return Result(status: status, output: child.text)
    }

    /// A port (or the first of `consecutive` ports) free for both UDP and TCP a moment ago.
    public static func freePort(consecutive: Int = 1) throws -> Int {
        let group = MultiThreadedEventLoopGroup.singleton
        for _ in 0..<50 {
            let probe = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
            let first = probe.localAddress!.port!
            try? probe.close().wait()
            guard first + consecutive <= 65_535 else { continue }
            var held: [any Channel] = []
            for port in first..<(first + consecutive) {
                guard let tcp = try? ServerBootstrap(group: group).bind(host: "127.0.0.1", port: port).wait() else { break }
                held.append(tcp)
                guard let udp = try? DatagramBootstrap(group: group).bind(host: "127.0.0.1", port: port).wait() else { break }
                held.append(udp)
            }
            let complete = held.count == consecutive * 2
            for channel in held { try? channel.close().wait() }
            if complete { return first }
        }
        throw ProcessError("no free port")
    }

    public struct ProcessError: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }
}
