#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// A real baresip (Debian's `baresip` 1.0) run headless for interop tests, driven over its
/// `ctrl_tcp` module (JSON commands in netstrings). Its lifetime is bounded: it is killed on
/// ``stop()`` and in `deinit`, and every wait has a timeout.
public final class Baresip: @unchecked Sendable {
    public static let executable = "/usr/bin/baresip"

    public let sipPort: Int
    public let controlPort: Int
    public let directory: URL
    private let process = Process()
    private let logLock = NSLock()
    /// Files removed with the directory on ``stop()``.
    private var extraFiles: [URL] = []
    private var logData = Data()

    /// Fails the test when baresip is missing on CI (which installs it); skips elsewhere.
    public static func requireInstalled() throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                throw BaresipError("baresip is not installed, and CI must have it (Scripts/install-dependencies --test)")
            }
            throw XCTSkip("baresip is not installed (apt-get install baresip)")
        }
    }

    /// - Parameter account: the account line's address, e.g. `<sip:tester@127.0.0.1>`; `;regint=0` is added
    ///   (Chorus is no registrar).
    /// - Parameters:
    ///   - modules: extra modules to load (codecs, `srtp`, `aufile`, `sndfile`...).
    ///   - settings: extra config lines, e.g. `audio_source aufile,/tmp/tone.wav`.
    ///   - contacts: lines of baresip's contacts file (`"Name" <sip:...>`); the `contact` module's
    ///     `message` command writes to the current (first) one.
    ///   - sipTrace: run with `-s`, so the log shows every SIP message sent and received.
    public init(
        account: String = "<sip:tester@127.0.0.1>", modules: [String] = [], settings: [String] = [], contacts: [String] = [],
        sipTrace: Bool = false
    ) throws {
        try Self.requireInstalled()
        // baresip also binds SIP port + 1 for TLS, so take a pair.
        sipPort = try ChorusProcess.freePort(consecutive: 2)
        controlPort = try ChorusProcess.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("baresip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = """
            module_path /usr/lib/baresip/modules
            module_app account.so
            module_app menu.so
            module_app contact.so
            module_app ctrl_tcp.so
            ctrl_tcp_listen 127.0.0.1:\(controlPort)
            sip_listen 127.0.0.1:\(sipPort)
            audio_player none

            """
            + modules.map { "module \($0).so\n" }.joined()
            + (settings.contains { $0.hasPrefix("audio_source") } ? "" : "audio_source none\n")
            + settings.map { $0 + "\n" }.joined()
        try config.write(to: directory.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        try "\(account);regint=0\n".write(to: directory.appendingPathComponent("accounts"), atomically: true, encoding: .utf8)
        try contacts.map { $0 + "\n" }.joined().write(to: directory.appendingPathComponent("contacts"), atomically: true, encoding: .utf8)

        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["-f", directory.path] + (sipTrace ? ["-s"] : [])
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.logLock.withLock { self.logData.append(data) }
        }
        try process.run()
    }

    /// Everything baresip printed so far.
    public var log: String { logLock.withLock { String(decoding: logData, as: UTF8.self) } }

    /// Sends a ctrl_tcp command and returns baresip's JSON reply, retrying the connection while
    /// baresip starts (up to `timeout`).
    @discardableResult
    public func command(_ name: String, _ parameters: String, timeout: Duration = .seconds(10)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var lastError: any Error = BaresipError("no attempt")
        while ContinuousClock.now < deadline {
            do {
                return try Self.exchange(port: controlPort, command: name, parameters: parameters)
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw BaresipError("ctrl_tcp \(name) failed: \(lastError)\n\(log)")
    }

    /// Waits until the log matches `predicate`, or throws after `timeout` with the log attached.
    public func waitForLog(timeout: Duration = .seconds(10), _ what: String, _ predicate: (String) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if predicate(log) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BaresipError("baresip never showed \(what); its log:\n\(log)")
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(2)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: directory)
        for file in extraFiles { try? FileManager.default.removeItem(at: file) }
    }

    deinit { stop() }

    /// A baresip that talks: Opus only, its microphone a 30 s sine of `tone` Hz (48 kHz stereo WAV,
    /// in its own directory), plus `accountParameters` (e.g. `;answermode=auto`).
    public static func talking(user: String, tone: Double, accountParameters: String = "", sipTrace: Bool = false) throws -> Baresip {
        try requireInstalled()
        let wav = FileManager.default.temporaryDirectory.appendingPathComponent("baresip-tone-\(UUID().uuidString).wav")
        try WAVFile.write(AudioAnalysis.tone(tone, samples: 48_000 * 30, amplitude: 0.25), sampleRate: 48_000, channels: 2, to: wav)
        let baresip = try Baresip(
            account: "<sip:\(user)@127.0.0.1>;audio_codecs=opus/48000/2\(accountParameters)", modules: ["opus", "aufile"],
            settings: ["audio_source aufile,\(wav.path)"], sipTrace: sipTrace)
        baresip.extraFiles.append(wav)
        return baresip
    }

    /// One blocking request/response on ctrl_tcp, with socket timeouts.
    private static func exchange(port: Int, command: String, parameters: String) throws -> [String: Any] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BaresipError("socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BaresipError("cannot connect to ctrl_tcp on port \(port)") }

        let json = try JSONSerialization.data(withJSONObject: ["command": command, "params": parameters, "token": "chorus"])
        let netstring = Data("\(json.count):".utf8) + json + Data(",".utf8)
        _ = netstring.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }

        // Replies and events arrive as netstrings; return the one that answers our token.
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { throw BaresipError("ctrl_tcp closed or timed out before replying") }
            received.append(contentsOf: buffer[0..<count])
            while let (payload, rest) = Self.firstNetstring(in: received) {
                received = rest
                if let object = try? JSONSerialization.jsonObject(with: payload) as? [String: Any],
                    object["response"] as? Bool == true
                {
                    return object
                }
            }
        }
    }

    private static func firstNetstring(in data: Data) -> (Data, Data)? {
        guard let colon = data.firstIndex(of: UInt8(ascii: ":")),
            let length = Int(String(decoding: data[data.startIndex..<colon], as: UTF8.self))
        else { return nil }
        let start = colon + 1
        guard data.endIndex >= start + length + 1 else { return nil }
        return (Data(data[start..<(start + length)]), Data(data[(start + length + 1)...]))
    }
}

public struct BaresipError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
