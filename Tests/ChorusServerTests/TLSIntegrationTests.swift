import ChorusSIP
import ChorusTestSupport
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import XCTest
@testable import ChorusServer

/// SIP over TLS on the real server over loopback: the self-signed certificate, calls with SRTP,
/// connection reuse, TLS versions, and certificate errors at start-up.
final class TLSIntegrationTests: XCTestCase {
    static func configuration(udp: Bool = true) -> ChorusConfiguration {
        var listen = [ListenAddress(transport: .tls, host: "127.0.0.1", port: 0)]
        if udp { listen.insert(ListenAddress(transport: .udp, host: "127.0.0.1", port: 0), at: 0) }
        return TestServer.configuration(listen: listen)
    }

    static func options(_ index: Int, srtp: Bool = true, over signalling: RawSIPClient.Kind) -> TestPhone.Options {
        var options = TestPhone.Options(codec: .opus, srtp: srtp, tone: ConferenceAudioCheck.tones[index])
        options.signalling = signalling
        return options
    }

    func testASelfSignedCertificateIsMadeOnceKeptPrivateAndServedOverTLS12AndUp() async throws {
        let configuration = Self.configuration()
        let directory = URL(fileURLWithPath: configuration.storage.directory)
        let server = try await TestServer.start(configuration)
        let certificateFile = directory.appendingPathComponent(TLSIdentity.generatedCertificateName).path
        let keyFile = directory.appendingPathComponent(TLSIdentity.generatedKeyName).path
        let firstCertificate = try String(contentsOfFile: certificateFile, encoding: .utf8)
        let permissions = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
        XCTAssertEqual(permissions, 0o600, "the private key is readable by its owner only")

        // A client that pins exactly this certificate gets through and is answered.
        let pinned = try NIOSSLCertificate.fromPEMFile(certificateFile)
        let address = try await server.address(.tls)
        let client = try await RawSIPClient.connect(.tls(trusting: pinned), to: address)
        try await client.send(Self.options(over: client, address: address))
        let answer = try await client.response()
        XCTAssertEqual(answer.statusCode, 200)
        XCTAssertTrue(answer.via.first?.transport.uppercased() == "TLS", "\(answer.via)")
        await client.close()

        // TLS 1.1 and older are refused during the handshake.
        var old = TLSConfiguration.makeClientConfiguration()
        old.certificateVerification = .none
        old.minimumTLSVersion = .tlsv1
        old.maximumTLSVersion = .tlsv11
        let context = try NIOSSLContext(configuration: old)
        let handshake = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let oldClient = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(promise: handshake))
                }
            }
            .connect(to: address).get()
        do {
            try await handshake.futureResult.get()
            XCTFail("a TLS 1.1 handshake must fail")
        } catch {}
        try? await oldClient.close()
        await server.shutdown()

        // The next start finds the certificate and keeps it (clients that pinned it keep working).
        let again = try await TestServer.start(configuration)
        XCTAssertEqual(try String(contentsOfFile: certificateFile, encoding: .utf8), firstCertificate)
        await again.shutdown()
    }

    /// An OPTIONS request over TLS, addressed with sips:.
    static func options(over client: RawSIPClient, address: SocketAddress) -> String {
        """
        OPTIONS sips:chorus@127.0.0.1:\(address.port ?? 5061) SIP/2.0\r
        Via: SIP/2.0/TLS 127.0.0.1:\(client.localPort);branch=z9hG4bK\(UInt32.random(in: 0...UInt32.max));rport\r
        Max-Forwards: 70\r
        From: <sips:tester@127.0.0.1>;tag=1\r
        To: <sips:chorus@127.0.0.1>\r
        Call-ID: tls-options-\(UInt32.random(in: 0...UInt32.max))\r
        CSeq: 1 OPTIONS\r
        Content-Length: 0\r
        \r

        """
    }

    func testTwoPhonesCallOverTLSWithSRTPHearEachOtherAndChorusReusesTheirConnections() async throws {
        var configuration = Self.configuration(udp: false)
        configuration.media.srtp = .required  // with the default security.sdes (auto): keys only over TLS
        let server = try await TestServer.start(configuration)
        let address = try await server.address(.tls)
        let phones = try await TestPhone.dialTalkers(2, server: address) { index, options in options = Self.options(index, over: .tls) }
        XCTAssertTrue(phones[0].contactHeader.hasPrefix("<sips:4200@127.0.0.1:"), phones[0].contactHeader)
        XCTAssertTrue(phones[0].contactHeader.contains("transport=tls"), phones[0].contactHeader)
        XCTAssertTrue(phones[0].answer.contains("RTP/SAVP"), phones[0].answer)
        XCTAssertTrue(phones[0].answer.contains("a=crypto:"), phones[0].answer)
        for phone in phones { phone.startSending() }
        try await Task.sleep(for: .milliseconds(1600))
        for (index, phone) in phones.enumerated() {
            let recording = Array((await phone.recording()).suffix(48_000))
            ConferenceAudioCheck.assertHears(
                recording, sampleRate: 48_000, heard: [ConferenceAudioCheck.tones[1 - index]], silent: [ConferenceAudioCheck.tones[index]],
                "TLS phone \(index)")
        }
        // Chorus's BYEs at shutdown come back over the connections the phones opened: the phones
        // listen on nothing else.
        async let stopped: Void = server.shutdown()
        for phone in phones {
            let gotBye = try await phone.awaitRequest("BYE", timeout: .seconds(5))
            XCTAssertTrue(gotBye)
        }
        await stopped
        for phone in phones { await phone.close() }
    }

    func testSDESKeysTravelOnlyOverTLSWhenTheConfigurationSaysSo() async throws {
        // srtp required, sdes auto (= tls-only): SRTP over UDP would show the keys to anyone.
        var required = Self.configuration()
        required.media.srtp = .required
        var server = try await TestServer.start(required)
        do {
            _ = try await TestPhone.dial(room: "4200", server: try await server.address(.udp), options: Self.options(0, over: .udp))
            XCTFail("SRTP over UDP with sdes tls-only must be refused")
        } catch let failure as TestPhone.CallFailed {
            XCTAssertEqual(failure.statusCode, 488)
            XCTAssertTrue(failure.warning?.contains("only sent over TLS") ?? false, failure.warning ?? "no Warning")
        }
        let secure = try await TestPhone.dial(room: "4200", server: try await server.address(.tls), options: Self.options(0, over: .tls))
        XCTAssertTrue(secure.answer.contains("a=crypto:"))
        _ = try await secure.hangUp()
        await secure.close()
        await server.shutdown()

        // srtp optional, sdes tls-only: a plain call over UDP is fine, an SRTP offer over UDP is not.
        var optional = Self.configuration()
        optional.security.sdes = .tlsOnly
        server = try await TestServer.start(optional)
        let udp = try await server.address(.udp)
        let plain = try await TestPhone.dial(room: "4200", server: udp, options: Self.options(0, srtp: false, over: .udp))
        XCTAssertFalse(plain.answer.contains("a=crypto"), plain.answer)
        do {
            _ = try await TestPhone.dial(room: "4200", server: udp, options: Self.options(1, over: .udp))
            XCTFail("an RTP/SAVP offer over UDP gets no keys")
        } catch let failure as TestPhone.CallFailed {
            XCTAssertEqual(failure.statusCode, 488)
        }
        _ = try await plain.hangUp()
        await plain.close()
        await server.shutdown()

        // sdes always: the old behaviour, keys over UDP too.
        var always = Self.configuration()
        always.media.srtp = .required
        always.security.sdes = .always
        server = try await TestServer.start(always)
        let anyway = try await TestPhone.dial(room: "4200", server: try await server.address(.udp), options: Self.options(0, over: .udp))
        XCTAssertTrue(anyway.answer.contains("a=crypto:"))
        _ = try await anyway.hangUp()
        await anyway.close()
        await server.shutdown()
    }

    func testCertificateProblemsStopStartUpNamingTheFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (certA, keyA) = (directory.appendingPathComponent("a.pem").path, directory.appendingPathComponent("a.key").path)
        let (certB, keyB) = (directory.appendingPathComponent("b.pem").path, directory.appendingPathComponent("b.key").path)
        try TLSIdentity.generateSelfSigned(certificateFile: certA, keyFile: keyA, directory: directory, hosts: ["a.example"], now: Date())
        try TLSIdentity.generateSelfSigned(certificateFile: certB, keyFile: keyB, directory: directory, hosts: ["b.example"], now: Date())
        let garbage = directory.appendingPathComponent("garbage.pem").path
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: garbage))

        func startupError(certificate: String, key: String) async -> String {
            var configuration = Self.configuration()
            configuration.sip.tls = .init(certificateFile: certificate, privateKeyFile: key)
            do {
                let server = try await TestServer.start(configuration)
                await server.shutdown()
                return "started"
            } catch {
                return "\(error)"
            }
        }
        let missing = await startupError(certificate: directory.appendingPathComponent("nope.pem").path, key: keyA)
        XCTAssertTrue(missing.hasPrefix("TLS: cannot read ") && missing.contains("nope.pem"), missing)
        let notPEM = await startupError(certificate: garbage, key: keyA)
        XCTAssertTrue(notPEM.contains("garbage.pem") && notPEM.contains("certificate"), notPEM)
        let mismatch = await startupError(certificate: certA, key: keyB)
        XCTAssertEqual(mismatch, "TLS: the private key \(keyB) does not belong to the certificate \(certA)")
        let keyAsCertificate = await startupError(certificate: certA, key: certA)
        XCTAssertTrue(keyAsCertificate.contains("is not a PEM private key"), keyAsCertificate)
        let good = await startupError(certificate: certA, key: keyA)
        XCTAssertEqual(good, "started")
    }
}

/// Completes its promise when the TLS handshake completes, fails it when the connection errs or closes first.
private final class HandshakeWatcher: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<Void>
    private var done = false
    init(promise: EventLoopPromise<Void>) { self.promise = promise }
    private func finish(_ result: Result<Void, any Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
    }
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { finish(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
    }
    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(ChannelError.eof))
        context.fireChannelInactive()
    }
}
