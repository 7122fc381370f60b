import ChorusConference
import ChorusMixer
import Foundation
import ChorusSIP
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// One Chorus process: the SIP endpoint, dialog layer and focus on one event loop, and the rooms'
/// media spread over the group's loops (one per core), bound to the configured listeners. Start it with ``start()``, end it with ``shutdown()``, or hand it to a
/// swift-service-lifecycle `ServiceGroup` (it is a `Service`: graceful shutdown hangs calls up).
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
        transport = SIPTransportManager(eventLoop: sipLoop, options: transportOptions, logger: logger)
        var endpointConfiguration = SIPEndpointConfiguration(
            timers: configuration.sip.timerSettings, limits: configuration.sip.parserLimits,
            userAgent: configuration.sip.userAgent,
            allowedMethods: [.invite, .ack, .bye, .cancel, .options, .message, .info],
            acceptedContentTypes: [
                .invite: ["application/sdp"], .ack: ["application/sdp"], .message: ["text/plain"],
                .info: ["application/dtmf-relay", "application/dtmf"],
            ])
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
        let directory = URL(fileURLWithPath: configuration.storage.directory)
        let store: RoomStore
        do {
            store = try RoomStore(directory: directory)
        } catch {
            throw ChorusServerError.cannotOpenStorage(directory.path, "\(error)")
        }
        let loaded = try await sipLoop.submit { try self.focus.load(from: store) }.get()
        if loaded > 0 { logger.info("\(loaded) stored room(s) loaded from \(directory.path)") }
        for listen in configuration.sip.listen {
            let kind: SIPTransportKind = listen.transport == .udp ? .udp : .tcp
            do {
                _ = try await sipLoop.flatSubmit { self.transport.bind(kind, host: listen.host, port: listen.port) }.get()
            } catch {
                throw ChorusServerError.cannotListen(listen.description, "\(error)")
            }
        }
    }

    /// The bound listeners with their real ports.
    public var listeners: [SIPTransportManager.Listener] {
        get async { (try? await sipLoop.submit { self.transport.listeners }.get()) ?? [] }
    }

    /// Graceful shutdown: refuse new calls, BYE every dialog, wait for the answers up to the
    /// configured grace, then close every socket.
    public func shutdown() async {
        logger.info("graceful shutdown started")
        let grace = configuration.shutdown.grace
        try? await sipLoop.flatSubmit { self.userAgent.shutdown(grace: grace) }.get()
        try? await sipLoop.flatSubmit { self.focus.endAll() }.get()
        try? await sipLoop.flatSubmit {
            self.endpoint.close()
            return self.transport.close()
        }.get()
        if ownsGroup { try? await group.shutdownGracefully() }
        logger.info("shutdown complete")
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
        try await start()
        logger.info("Chorus is ready")
        try? await gracefulShutdown()
        await shutdown()
    }
}

public enum ChorusServerError: Error, CustomStringConvertible {
    case cannotListen(String, String)
    case cannotOpenStorage(String, String)
    public var description: String {
        switch self {
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
