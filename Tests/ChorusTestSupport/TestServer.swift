import ChorusServer
import Foundation
import Logging
import NIOCore

/// Starts a real ChorusServer in this process on loopback, on ports the kernel picks.
public enum TestServer {
    public static func configuration(listen: [ListenAddress]? = nil) -> ChorusConfiguration {
        var configuration = ChorusConfiguration.defaults
        configuration.sip.listen = listen ?? [
            ListenAddress(transport: .udp, host: "127.0.0.1", port: 0),
            ListenAddress(transport: .tcp, host: "127.0.0.1", port: 0),
        ]
        configuration.shutdown.grace = .seconds(2)
        // Each server its own room database, never the working directory's.
        configuration.storage.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("chorus-test-\(UUID().uuidString)").path
        return configuration
    }

    /// - Parameter logger: where the server logs; nil: to standard error, warnings and worse, or
    ///   the level named by `CHORUS_TEST_LOG_LEVEL` (`debug`, `trace`, ...) to chase a failing test.
    public static func start(_ configuration: ChorusConfiguration = configuration(), logger: Logger? = nil) async throws -> ChorusServer {
        var standard = Logger(label: "chorus-test")
        standard.logLevel = ProcessInfo.processInfo.environment["CHORUS_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let server = ChorusServer(configuration: configuration, logger: logger ?? standard)
        try await server.start()
        return server
    }
}

extension ChorusServer {
    /// The bound address of the first listener of this transport.
    public func address(_ kind: ListenAddress.Transport) async throws -> SocketAddress {
        let wanted = kind.rawValue.uppercased()
        guard let listener = await listeners.first(where: { $0.kind.rawValue == wanted }) else {
            throw TestServerError.noListener(kind.rawValue)
        }
        return listener.address
    }
}

public enum TestServerError: Error {
    case noListener(String)
}
