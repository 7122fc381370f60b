import ChorusConference
import ChorusMixer
import ChorusRTP
import Foundation
import ChorusSIP
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// One Chorus process: the SIP endpoint, dialog layer and focus on one event loop, and the rooms'
/// media spread over the group's loops (one per core), bound to the configured listeners. Start it with ``start()``, end it with ``shutdown()``, or hand it to a
/// swift-service-lifecycle `ServiceGroup` (it is a `Service`: graceful shutdown hangs calls up).
///
/// A server released while it runs (``start()`` called, ``shutdown()`` not) shuts itself down
/// in the background: its sockets live on the event loops, whose handlers must not outlive
/// what they serve (see `ChorusServer+Shutdown.swift`).
public final class ChorusServer: Service, @unchecked Sendable {
    public let configuration: ChorusConfiguration
    public let logger: Logger
    let group: MultiThreadedEventLoopGroup
    let ownsGroup: Bool
    let sipLoop: any EventLoop
    let transport: SIPTransportManager
    let endpoint: SIPEndpoint
    let userAgent: SIPUserAgent
    let focus: Focus
    /// Where the server is in its life, for ``deinit``; behind ``lifeLock``.
    var life = Life.idle
    let lifeLock = NSLock()

    /// - Parameter group: an event loop group to run on; nil creates one (and shuts it down at the end).
    public init(configuration: ChorusConfiguration, logger: Logger, group: MultiThreadedEventLoopGroup? = nil) {
        self.configuration = configuration
        self.logger = logger
        self.ownsGroup = group == nil
        self.group = group ?? MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        self.sipLoop = self.group.next()

        var transportOptions = SIPTransportManager.Options()
        transportOptions.limits = configuration.sip.parserLimits
        transportOptions.publicHost = configuration.sip.publicHost
        transportOptions.idleTimeout = configuration.sip.limits.idleTimeout
        transportOptions.messageTimeout = configuration.sip.limits.messageTimeout
        transportOptions.maxConnectionsPerSource = configuration.sip.limits.maxConnectionsPerSource
        transportOptions.maxConnections = configuration.sip.limits.maxConnections
        transport = SIPTransportManager(eventLoop: sipLoop, options: transportOptions, logger: logger)
        var endpointConfiguration = SIPEndpointConfiguration(
            timers: configuration.sip.timerSettings, limits: configuration.sip.parserLimits,
            userAgent: configuration.sip.userAgent,
            allowedMethods: [.invite, .ack, .bye, .cancel, .options, .message, .info, .refer, .subscribe, .notify],
            acceptedContentTypes: [
                .invite: ["application/sdp"], .ack: ["application/sdp"], .message: ["text/plain"],
                .info: ["application/dtmf-relay", "application/dtmf"], .notify: ["message/sipfrag"],
            ])
        let security = configuration.security
        endpointConfiguration.requestRateLimit = SIPRequestRateLimit(
            perSecond: Double(security.requestsPerSecond), burst: security.requestBurst, dropWhenOver: security.overLimit == .drop)
        // A PIN dialed as `ROOM*PIN` never reaches the log.
        endpointConfiguration.loggedURI = { uri in
            guard let user = uri.user, let star = user.firstIndex(of: "*") else { return uri.description }
            var redacted = uri
            redacted.user = String(user[...star]) + "****"
            return redacted.description
        }
        endpoint = SIPEndpoint(eventLoop: sipLoop, transport: transport, configuration: endpointConfiguration, logger: logger)
        userAgent = SIPUserAgent(endpoint: endpoint)
        focus = Focus(configuration: configuration, sipLoop: sipLoop, mediaLoops: self.group, logger: logger)
        userAgent.delegate = focus
        focus.userAgent = userAgent
        transport.receiver = { [endpoint] bytes, peer in endpoint.receive(bytes, from: peer) }
    }

    /// Opens the room database and binds every configured listener. Throws, naming the directory
    /// or the address, if either cannot be had.
    public func start() async throws {
        // From here on sockets and rooms may exist, even if starting fails half-way.
        setLife(.started)
        let directory = URL(fileURLWithPath: configuration.storage.directory)
        let store: RoomStore
        do {
            store = try RoomStore(directory: directory)
        } catch {
            throw ChorusServerError.cannotOpenStorage(directory.path, "\(error)")
        }
        let loaded = try await sipLoop.submit { try self.focus.load(from: store) }.get()
        if loaded > 0 { logger.info("\(loaded) stored room(s) loaded from \(directory.path)") }
        try? await sipLoop.submit { self.focus.pruneAllRecordings() }.get()
        if configuration.media.srtp != .off { logger.info("SRTP crypto: \(SRTPSession.cryptoImplementation)") }
        let tls = try makeTLSContexts(storageDirectory: directory)
        try await sipLoop.submit { self.transport.tls = tls }.get()
        for listen in configuration.sip.listen {
            let kind: SIPTransportKind =
                switch listen.transport {
                case .udp: .udp
                case .tcp: .tcp
                case .tls: .tls
                }
            do {
                _ = try await sipLoop.flatSubmit { self.transport.bind(kind, host: listen.host, port: listen.port) }.get()
            } catch {
                throw ChorusServerError.cannotListen(listen.description, "\(error)")
            }
        }
    }

    /// The TLS contexts: with Chorus's certificate when it listens for TLS (logging where the
    /// certificate came from and its fingerprint), else for connecting out only.
    private func makeTLSContexts(storageDirectory: URL) throws -> SIPTLSContexts {
        let settings = configuration.sip.tls
        var trustRoots: [NIOSSLCertificate]?
        if let caFile = settings.caFile {
            do {
                trustRoots = try NIOSSLCertificate.fromPEMFile(caFile)
            } catch {
                throw ChorusServerError.tls("sip.tls.ca_file: cannot read certificates from \(caFile): \(error)")
            }
        }
        guard configuration.sip.listen.contains(where: { $0.transport == .tls }) else {
            do {
                return warnIfTrustingNothing(try SIPTLSContexts.makeClientOnly(trustRoots: trustRoots))
            } catch {
                throw ChorusServerError.tls("cannot set up TLS for outgoing connections: \(error)")
            }
        }
        var hosts = [configuration.sip.publicHost ?? ProcessInfo.processInfo.hostName]
        hosts += configuration.sip.listen.filter { !$0.isWildcard }.map(\.host)
        let identity: TLSIdentity
        do {
            identity = try TLSIdentity.load(settings, storageDirectory: storageDirectory, hosts: hosts)
        } catch {
            throw ChorusServerError.tls("\(error)")
        }
        let origin = identity.isSelfSigned ? (identity.generatedNow ? "self-signed, made now" : "self-signed") : "configured"
        logger.notice(
            "TLS certificate \(identity.certificatePath) (\(origin), valid until \(identity.notValidAfter.formatted(.iso8601))), SHA-256 fingerprint \(identity.fingerprint)")
        do {
            return warnIfTrustingNothing(
                try SIPTLSContexts.make(certificateChain: identity.certificateChain, privateKey: identity.privateKey, trustRoots: trustRoots))
        } catch {
            throw ChorusServerError.tls("cannot use the certificate \(identity.certificatePath): \(error)")
        }
    }

    private func warnIfTrustingNothing(_ contexts: SIPTLSContexts) -> SIPTLSContexts {
        if !contexts.clientTrustsSomething {
            logger.warning(
                "TLS: no system CA certificates found and sip.tls.ca_file is not set: TLS connections Chorus opens (dial-out, sips: peers) will fail verification; install ca-certificates or set sip.tls.ca_file")
        }
        return contexts
    }

    /// The bound listeners with their real ports.
    public var listeners: [SIPTransportManager.Listener] {
        get async { (try? await sipLoop.submit { self.transport.listeners }.get()) ?? [] }
    }

    /// Graceful shutdown: refuse new calls, BYE every dialog, wait for the answers up to the
    /// configured grace, then close every socket.
    public func shutdown() async {
        setLife(.shutDown)
        await parts.shutDown()
    }

    deinit {
        // Nothing else holds the server now: no lock needed.
        switch life {
        case .started:
            // Its calls' sockets are still open on the event loops, and their handlers need the
            // legs, rooms and transports this server held: the task keeps them alive until
            // every socket is closed (the crash this prevents: a media leg's handler reading its
            // deallocated leg when the next RTP packet came).
            logger.warning("ChorusServer released without shutdown(): shutting down in the background")
            let parts = self.parts
            Task { await parts.shutDown() }
        case .idle:
            if ownsGroup { group.shutdownGracefully { _ in } }
        case .shutDown:
            break
        }
    }

    /// Mutes, deafens or sets the gains of the participant whose call has `callID` (the
    /// room-management commands build on this). Returns false when there is no such call.
    public func setControls(_ controls: ParticipantControls, forCallID callID: String) async -> Bool {
        (try? await sipLoop.submit { self.focus.setControls(controls, callID: callID) }.get()) ?? false
    }

    /// Calls in progress.
    public var callCount: Int {
        get async { (try? await sipLoop.submit { self.focus.callCount }.get()) ?? 0 }
    }

    /// `Service`: start, run until graceful shutdown is requested (SIGTERM/SIGINT), then shut down.
    public func run() async throws {
        do {
            try await start()
        } catch {
            // Whatever was bound before the failure is let go.
            await shutdown()
            throw error
        }
        logger.info("Chorus is ready")
        try? await gracefulShutdown()
        await shutdown()
    }
}

public enum ChorusServerError: Error, CustomStringConvertible {
    case cannotListen(String, String)
    case cannotOpenStorage(String, String)
    /// The TLS certificate, key or trust roots cannot be used.
    case tls(String)
    public var description: String {
        switch self {
        case .tls(let why): "TLS: \(why)"
        case .cannotListen(let address, let why): "cannot listen on \(address): \(why)"
        case .cannotOpenStorage(let path, let why): "cannot open the room database in \(path): \(why)"
        }
    }
}

extension ChorusConfiguration.SIP {
    var parserLimits: SIPParserLimits {
        var limits = SIPParserLimits()
        limits.maxMessageSize = self.limits.maxMessageBytes
        limits.maxHeaderCount = self.limits.maxHeaders
        return limits
    }

    var timerSettings: SIPTimerSettings {
        SIPTimerSettings(t1: timers.t1, t2: timers.t2, t4: timers.t4)
    }
}
