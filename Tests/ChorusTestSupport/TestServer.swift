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

    public static func start(_ configuration: ChorusConfiguration = configuration()) async throws -> ChorusServer {
        var logger = Logger(label: "chorus-test")
        logger.logLevel = .warning
        let server = ChorusServer(configuration: configuration, logger: logger)
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
