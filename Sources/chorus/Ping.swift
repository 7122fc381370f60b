import ArgumentParser
import ChorusSIP
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// `chorus ping sip:HOST:PORT`: sends OPTIONS and exits 0 on a 200. The container health check uses it.
struct Ping: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send SIP OPTIONS to a server; exit 0 if it answers 200.")

    @Argument(help: "Target URI, e.g. sip:127.0.0.1:5060, sip:127.0.0.1:5060;transport=tcp or sips:127.0.0.1:5061 (TLS: the certificate is not checked)")
    var target: String

    @Option(help: "Seconds to wait for the final answer.")
    var timeout: Double = 5

    func run() async throws {
        let uri: SIPURI
        do {
            uri = try SIPURI(parsing: target)
        } catch {
            throw ValidationError("not a SIP URI: \(target) (\(error.reason))")
        }
        guard uri.isSIP else { throw ValidationError("not a sip: or sips: URI: \(target)") }
        let status = try await SIPPinger.ping(uri, timeout: .milliseconds(Int64(timeout * 1000)))
        print("\(status.code) \(status.reason)")
        if status.code != 200 { throw ExitCode.failure }
    }
}

/// Sends one OPTIONS through a throw-away SIP endpoint.
enum SIPPinger {
    struct Status: Sendable {
        var code: Int
        var reason: String
    }

    static func ping(_ uri: SIPURI, timeout: Duration) async throws -> Status {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        var logger = Logger(label: "chorus-ping")
        logger.logLevel = .warning
        let kind = uri.impliedTransport
        let remote = try uri.resolveSocketAddress()
        let transport = SIPTransportManager(eventLoop: loop, logger: logger)
        if kind == .udp {
            _ = try await loop.flatSubmit { transport.bind(.udp, host: remote.protocol == .inet6 ? "::" : "0.0.0.0", port: 0) }.get()
        }
        if kind == .tls {
            // A liveness check: it takes whatever certificate the server shows (a self-signed one, typically).
            var client = TLSConfiguration.makeClientConfiguration()
            client.minimumTLSVersion = .tlsv12
            client.certificateVerification = .none
            let context = try NIOSSLContext(configuration: client)
            try await loop.submit { transport.tls = SIPTLSContexts(server: nil, client: context) }.get()
        }
        var configuration = SIPEndpointConfiguration()
        configuration.userAgent = "chorus-ping"
        let endpoint = SIPEndpoint(eventLoop: loop, transport: transport, configuration: configuration, logger: logger)
        transport.receiver = { bytes, peer in endpoint.receive(bytes, from: peer) }

        let status: Status = try await loop.flatSubmit {
            let promise = loop.makePromise(of: Status.self)
            var answered = false
            let finish: (Status) -> Void = { status in
                guard !answered else { return }
                answered = true
                promise.succeed(status)
            }
            let from = SIPNameAddress(uri: SIPURI(user: "ping", host: "chorus.invalid"))
            let request = SIPRequest.outOfDialog(.options, to: uri, from: from, headers: ["Accept": "application/sdp"])
            endpoint.sendRequest(request, to: SIPPeer(kind: kind, remote: remote)) { event in
                switch event {
                case .provisional: break
                case .final(let response): finish(Status(code: response.statusCode, reason: response.reasonPhrase))
                case .timeout: finish(Status(code: 408, reason: "Request Timeout (no answer)"))
                }
            }
            loop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)) {
                finish(Status(code: 408, reason: "Request Timeout (no answer)"))
            }
            return promise.futureResult
        }.get()
        try? await loop.flatSubmit {
            endpoint.close()
            return transport.close()
        }.get()
        return status
    }
}
