#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// A real Kamailio (Debian's `kamailio`) running the shipped `Deploy/kamailio/kamailio.cfg` on
/// loopback, with its `#!trydef` settings overridden on the command line (`-A`) and a generated
/// dispatcher list. Its lifetime is bounded: it is stopped in ``stop()`` and in `deinit`.
public final class Kamailio: @unchecked Sendable {
    public static let executable = "/usr/sbin/kamailio"

    /// `Deploy/kamailio/kamailio.cfg` in this checkout.
    public static var shippedConfig: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Deploy/kamailio/kamailio.cfg")
    }

    /// Fails the test when Kamailio is missing on CI (which installs it); skips elsewhere.
    public static func requireInstalled() throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                throw ChorusProcess.ProcessError("kamailio is not installed, and CI must have it (Deploy/test-container.sh --install-only)")
            }
            throw XCTSkip("kamailio is not installed (apt-get install kamailio)")
        }
    }

    public let port: Int
    public let directory: URL
    private let pid: pid_t
    private let logFile: URL
    private let lock = NSLock()
    private var exited = false
    private var stopped = false

    /// - Parameters:
    ///   - nodes: SIP ports of the Chorus nodes on 127.0.0.1 (dispatcher set 1).
    ///   - pingInterval: seconds between OPTIONS probes to every node.
    ///   - failureTimeoutMilliseconds: how long a request waits for any answer from a node.
    public init(nodes: [Int], pingInterval: Int, failureTimeoutMilliseconds: Int) throws {
        try Self.requireInstalled()
        port = try ChorusProcess.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kamailio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let list = directory.appendingPathComponent("dispatcher.list")
        try nodes.map { "1 sip:127.0.0.1:\($0) 0 0\n" }.joined().write(to: list, atomically: true, encoding: .utf8)
        let arguments = [
            Self.executable, "-DD", "-E", "-m", "32", "-M", "4",
            "-f", Self.shippedConfig.path,
            "-Y", directory.path, "-P", directory.appendingPathComponent("kamailio.pid").path,
            "-A", "LISTEN_UDP=udp:127.0.0.1:\(port)",
            "-A", "LISTEN_TCP=tcp:127.0.0.1:\(port)",
            "-A", "DS_LIST=\"\(list.path)\"",
            "-A", "DS_PING_INTERVAL=\(pingInterval)",
            "-A", "FR_TIMER=\(failureTimeoutMilliseconds)",
            // Every test phone shares 127.0.0.1: lift the per-IP flood limit.
            "-A", "PIKE_DENSITY=10000",
            "-A", "CHILDREN=2",
        ]
        logFile = directory.appendingPathComponent("kamailio.log")
        pid = try Self.spawn(arguments, output: logFile.path)
    }

    /// posix_spawn with an empty signal mask and default handlers: the test process blocks
    /// signals (SIGTERM, SIGALRM...) that Foundation's Process would pass on, and Kamailio's timers
    /// and shutdown need them. The child leads its own process group, so ``stop()`` reaches every
    /// Kamailio worker.
    private static func spawn(_ arguments: [String], output: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments = arguments.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, arguments[0], &actions, &attributes, &cArguments, environ)
        guard result == 0 else { throw ChorusProcess.ProcessError("posix_spawn kamailio failed: \(result)") }
        return child
    }

    /// Everything Kamailio logged so far.
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    public var isRunning: Bool {
        lock.withLock {
            if exited { return false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { exited = true }
            return !exited
        }
    }

    /// SIGTERM to Kamailio's process group, SIGKILL after 3 s; idempotent.
    public func stop() {
        guard lock.withLock({ () -> Bool in defer { stopped = true }; return !stopped }) else { return }
        if isRunning {
            kill(-pid, SIGTERM)
            let deadline = Date().addingTimeInterval(3)
            while isRunning && Date() < deadline { usleep(20_000) }
            if isRunning {
                kill(-pid, SIGKILL)
                _ = isRunning
            }
        }
        kill(-pid, SIGKILL)  // any worker left behind
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
