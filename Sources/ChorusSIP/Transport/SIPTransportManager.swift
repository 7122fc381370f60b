import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// SIP over UDP, TCP and TLS on SwiftNIO (RFC 3261 §18, §26): listeners on any number of IPv4/IPv6
/// addresses, connection reuse for stream transports in both directions, and outbound connections
/// on demand. Stream connections are bounded per source address and in total, closed when idle,
/// and closed when a message (or, first, the TLS handshake) takes too long to arrive (slow loris).
///
/// Every socket lives on one event loop, the endpoint's, so messages reach the endpoint without a
/// thread hop and in order. Set ``receiver`` before binding.
public final class SIPTransportManager: SIPTransport, @unchecked Sendable {
    public struct Options: Sendable {
        public var limits = SIPParserLimits()
        /// Advertised in Via/Contact instead of the socket's address (e.g. behind NAT), if set.
        public var publicHost: String?
        /// Stream connections with no traffic this long are closed.
        public var idleTimeout: Duration = .seconds(600)
        /// An accepted connection must deliver its first message (after the TLS handshake, if any)
        /// within this long, and a message once begun must be complete within this long.
        public var messageTimeout: Duration = .seconds(10)
        /// Accepted stream connections (TCP and TLS together) from one IP address at most; more are closed at once.
        public var maxConnectionsPerSource = 32
        /// Accepted stream connections at most.
        public var maxConnections = 4096
        public init() {}
    }

    public struct Listener: Sendable {
        public var kind: SIPTransportKind
        public var address: SocketAddress
    }

    public let eventLoop: any EventLoop
    public let options: Options
    public var logger: Logger
    /// Where parsed-to-be bytes go; normally ``SIPEndpoint/receive(_:from:)``.
    public var receiver: ((ByteBuffer, SIPPeer) -> Void)?

    private var listenerChannels: [(listener: Listener, channel: any Channel)] = []
    private var datagramHandles: [SIPDatagramChannel] = []
    private var connections: [SocketAddress: SIPStreamChannel] = [:]
    private var pendingConnects: [SocketAddress: EventLoopFuture<any Channel>] = [:]
    /// Accepted connections open per source IP (for ``Options/maxConnectionsPerSource``).
    private var acceptedPerSource: [String: Int] = [:]
    private var acceptedCount = 0
    /// Framing errors that closed a connection.
    public private(set) var framingErrors = 0
    /// Accepted connections closed at once for exceeding a connection limit.
    public private(set) var refusedConnections = 0
    /// Connections closed because a message or the TLS handshake was too slow.
    public private(set) var slowConnections = 0
    /// TLS handshakes that failed.
    public private(set) var tlsFailures = 0
    /// Certificates and trust for TLS; set before binding a TLS listener or sending over TLS.
    public var tls: SIPTLSContexts?

    public init(eventLoop: any EventLoop, options: Options = Options(), logger: Logger) {
        self.eventLoop = eventLoop
        self.options = options
        self.logger = logger
    }

    /// The sockets bound so far, with their real ports (useful when binding port 0).
    public var listeners: [Listener] { listenerChannels.map(\.listener) }

    /// Number of open stream connections.
    public var connectionCount: Int { connections.count }

    // MARK: - Binding

    /// Binds a listener. Port 0 picks a free port; ``listeners`` tells which.
    public func bind(_ kind: SIPTransportKind, host: String, port: Int) -> EventLoopFuture<Listener> {
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: host, port: port)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let v6 = address.protocol == .inet6
        switch kind {
        case .udp:
            // No SO_REUSEADDR on UDP: on Linux it would let a second server share the port silently.
            var bootstrap = DatagramBootstrap(group: eventLoop)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .channelInitializer { [unowned self] channel in
                    channel.pipeline.addHandler(SIPDatagramHandler(manager: self))
                }
            if v6 { bootstrap = bootstrap.channelOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 1) }
            return bootstrap.bind(to: address).map { [unowned self] channel in self.register(kind, channel) }
        case .tcp, .tls:
            if kind == .tls, tls?.server == nil { return eventLoop.makeFailedFuture(SIPTransportError.noCertificate) }
            var bootstrap = ServerBootstrap(group: eventLoop)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelInitializer { [unowned self] channel in
                    self.configureAccepted(channel, kind: kind)
                }
            if v6 { bootstrap = bootstrap.serverChannelOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 1) }
            return bootstrap.bind(to: address).map { [unowned self] channel in self.register(kind, channel) }
        }
    }

    private func register(_ kind: SIPTransportKind, _ channel: any Channel) -> Listener {
        let listener = Listener(kind: kind, address: channel.localAddress!)
        listenerChannels.append((listener, channel))
        if kind == .udp { datagramHandles.append(SIPDatagramChannel(channel: channel)) }
        logger.info("listening on \(kind.uriParameter):\(listener.address.sipHostPort)")
        return listener
    }

    /// A connection a client opened: counted against the limits, then set up like any stream.
    private func configureAccepted(_ channel: any Channel, kind: SIPTransportKind) -> EventLoopFuture<Void> {
        let source = channel.remoteAddress?.ipString ?? "?"
        let fromSource = acceptedPerSource[source, default: 0]
        guard fromSource < options.maxConnectionsPerSource, acceptedCount < options.maxConnections else {
            refusedConnections += 1
            logger.debug("refused \(kind) connection from \(source): \(fromSource) open from it, \(acceptedCount) in all")
            return channel.eventLoop.makeFailedFuture(SIPTransportError.tooManyConnections)
        }
        acceptedPerSource[source] = fromSource + 1
        acceptedCount += 1
        channel.closeFuture.whenComplete { [weak self] _ in self?.acceptedConnectionClosed(source: source) }
        return configureStream(channel, kind: kind, accepted: true)
    }

    private func acceptedConnectionClosed(source: String) {
        acceptedCount -= 1
        let left = (acceptedPerSource[source] ?? 1) - 1
        acceptedPerSource[source] = left > 0 ? left : nil
    }

    private func configureStream(_ channel: any Channel, kind: SIPTransportKind, accepted: Bool) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            let sync = channel.pipeline.syncOperations
            if kind == .tls {
                guard let tls else { throw SIPTransportError.noCertificate }
                if accepted {
                    guard let server = tls.server else { throw SIPTransportError.noCertificate }
                    try sync.addHandler(NIOSSLServerHandler(context: server))
                } else {
                    // Connecting by address: no SNI; the certificate must name the IP address.
                    try sync.addHandler(NIOSSLClientHandler(context: tls.client, serverHostname: nil))
                }
            }
            try sync.addHandler(IdleStateHandler(allTimeout: options.idleTimeout.timeAmount.amount))
            try sync.addHandler(ByteToMessageHandler(SIPStreamDecoder(limits: options.limits, messageTimeout: options.messageTimeout.timeAmount.amount)))
            try sync.addHandler(
                SIPStreamHandler(manager: self, kind: kind, firstMessageTimeout: accepted ? options.messageTimeout.timeAmount.amount : nil))
        }
    }

    // MARK: - Receiving

    func deliver(_ bytes: ByteBuffer, from peer: SIPPeer) {
        receiver?(bytes, peer)
    }

    func connectionOpened(_ connection: SIPStreamChannel) {
        if let remote = connection.remoteAddress { connections[remote] = connection }
    }

    func connectionClosed(_ connection: SIPStreamChannel) {
        if let remote = connection.remoteAddress, connections[remote] === connection {
            connections.removeValue(forKey: remote)
        }
    }

    func countFramingError() { framingErrors += 1 }
    func countSlowConnection() { slowConnections += 1 }
    func countTLSFailure() { tlsFailures += 1 }

    // MARK: - Sending

    public func send(_ bytes: ByteBuffer, to peer: SIPPeer) {
        if let channel = peer.channel, channel.isActive {
            channel.send(bytes, to: peer.remote)
            return
        }
        switch peer.kind {
        case .udp:
            guard let listener = datagramHandles.first(where: { $0.localAddress?.protocol == peer.remote.protocol }) else {
                logger.warning("no UDP listener for \(peer.remote.protocol == .inet6 ? "IPv6" : "IPv4"); dropping message to \(peer)")
                return
            }
            listener.send(bytes, to: peer.remote)
        case .tcp, .tls:
            if let connection = connections[peer.remote], connection.kind == peer.kind, connection.isActive {
                connection.send(bytes, to: peer.remote)
                return
            }
            if peer.kind == .tls, tls == nil {
                logger.warning("no TLS configured; dropping message to \(peer)")
                return
            }
            connect(to: peer.remote, kind: peer.kind).whenComplete { [weak self] result in
                switch result {
                case .success(let channel): channel.writeAndFlush(bytes, promise: nil)
                case .failure(let error): self?.logger.info("cannot connect to \(peer): \(error)")
                }
            }
        }
    }

    private func connect(to remote: SocketAddress, kind: SIPTransportKind) -> EventLoopFuture<any Channel> {
        if let pending = pendingConnects[remote] { return pending }
        let future = ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(5))
            .channelInitializer { [unowned self] channel in self.configureStream(channel, kind: kind, accepted: false) }
            .connect(to: remote)
        pendingConnects[remote] = future
        future.whenComplete { [weak self] _ in self?.pendingConnects.removeValue(forKey: remote) }
        return future
    }

    public func advertisedAddress(kind: SIPTransportKind, toward remote: SocketAddress) -> (host: String, port: Int) {
        let family = remote.protocol
        let listener = listenerChannels.first { $0.listener.kind == kind && $0.listener.address.protocol == family }?.listener
            ?? listenerChannels.first { $0.listener.kind == kind }?.listener
        let port = listener?.address.port ?? kind.defaultPort
        if let publicHost = options.publicHost, !publicHost.isEmpty { return (publicHost, port) }
        if let address = listener?.address, !address.isWildcard { return (address.sipHost, port) }
        let ip = LocalAddressLookup.localIP(toward: remote) ?? (family == .inet6 ? "::1" : "127.0.0.1")
        return (ip.contains(":") ? "[\(ip)]" : ip, port)
    }

    // MARK: - Closing

    /// Closes listeners and connections.
    public func close() -> EventLoopFuture<Void> {
        let channels = listenerChannels.map(\.channel) + connections.values.map(\.channel)
        listenerChannels.removeAll()
        datagramHandles.removeAll()
        connections.removeAll()
        let closes = channels.map { channel in channel.close().recover { _ in } }
        return EventLoopFuture.andAllComplete(closes, on: eventLoop)
    }
}

public enum SIPTransportError: Error, CustomStringConvertible {
    /// A TLS listener or connection without ``SIPTransportManager/tls`` (or without a certificate).
    case noCertificate
    /// An accepted connection beyond ``SIPTransportManager/Options/maxConnectionsPerSource`` or ``SIPTransportManager/Options/maxConnections``.
    case tooManyConnections
    public var description: String {
        switch self {
        case .noCertificate: "TLS needs a certificate and private key"
        case .tooManyConnections: "too many connections"
        }
    }
}
