import NIOCore
import NIOSSL

/// A UDP listening socket; it can send to any destination.
final class SIPDatagramChannel: SIPChannelHandle, @unchecked Sendable {
    let channel: any Channel
    let kind: SIPTransportKind = .udp
    init(channel: any Channel) { self.channel = channel }
    var localAddress: SocketAddress? { channel.localAddress }
    var isActive: Bool { channel.isActive }
    func send(_ bytes: ByteBuffer, to remote: SocketAddress) {
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: bytes), promise: nil)
    }
}

/// One TCP or TLS connection.
final class SIPStreamChannel: SIPChannelHandle, @unchecked Sendable {
    let channel: any Channel
    let kind: SIPTransportKind
    init(channel: any Channel, kind: SIPTransportKind) {
        self.channel = channel
        self.kind = kind
    }
    var localAddress: SocketAddress? { channel.localAddress }
    var remoteAddress: SocketAddress? { channel.remoteAddress }
    var isActive: Bool { channel.isActive }
    func send(_ bytes: ByteBuffer, to remote: SocketAddress) {
        channel.writeAndFlush(bytes, promise: nil)
    }
}

/// Hands each datagram to the transport manager. Keep-alives (CRLF or NUL-only datagrams) are ignored.
final class SIPDatagramHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private unowned let manager: SIPTransportManager
    private var handle: SIPDatagramChannel?

    init(manager: SIPTransportManager) { self.manager = manager }

    func channelActive(context: ChannelHandlerContext) {
        handle = SIPDatagramChannel(channel: context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let handle else { return }
        if envelope.data.readableBytesView.allSatisfy({ $0 == 13 || $0 == 10 || $0 == 0 }) { return }
        manager.deliver(envelope.data, from: SIPPeer(kind: .udp, remote: envelope.remoteAddress, channel: handle))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and the like surface here; a UDP listener must keep going.
        manager.logger.debug("UDP socket error: \(error)")
    }
}

/// Frames a TCP byte stream into SIP messages (RFC 3261 §18.3). A message once begun must be
/// complete within `messageTimeout`, or the connection is closed: a slow-loris client that
/// trickles one byte at a time cannot hold a connection (and its buffer) forever.
struct SIPStreamDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let limits: SIPParserLimits
    let messageTimeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(limits: SIPParserLimits, messageTimeout: TimeAmount) {
        self.limits = limits
        self.messageTimeout = messageTimeout
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let message = try SIPStreamFramer.nextMessage(from: &buffer, limits: limits) else {
            if buffer.readableBytes > 0, deadline == nil { startDeadline(context: context) }
            return .needMoreData
        }
        deadline?.cancel()
        deadline = nil
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }

    private mutating func startDeadline(context: ChannelHandlerContext) {
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: messageTimeout) {
            channel.pipeline.fireUserInboundEventTriggered(SIPSlowMessageEvent())
        }
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        deadline?.cancel()
        deadline = nil
        return .needMoreData
    }
}

/// A message (or an accepted connection's first message) did not arrive in time.
struct SIPSlowMessageEvent {}

/// Delivers framed messages of one connection, tracks the connection for reuse, closes it on
/// framing errors and when idle.
final class SIPStreamHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private unowned let manager: SIPTransportManager
    private let kind: SIPTransportKind
    private var handle: SIPStreamChannel?
    /// For accepted connections: the first message (after the TLS handshake) must come within this long.
    private let firstMessageTimeout: TimeAmount?
    private var firstMessageDeadline: Scheduled<Void>?

    init(manager: SIPTransportManager, kind: SIPTransportKind, firstMessageTimeout: TimeAmount?) {
        self.manager = manager
        self.kind = kind
        self.firstMessageTimeout = firstMessageTimeout
    }

    private func remoteText(_ context: ChannelHandlerContext) -> String {
        context.channel.remoteAddress.map(\.sipHostPort) ?? "?"
    }

    func channelActive(context: ChannelHandlerContext) {
        let handle = SIPStreamChannel(channel: context.channel, kind: kind)
        self.handle = handle
        manager.connectionOpened(handle)
        if let firstMessageTimeout {
            let channel = context.channel
            firstMessageDeadline = context.eventLoop.scheduleTask(in: firstMessageTimeout) {
                channel.pipeline.fireUserInboundEventTriggered(SIPSlowMessageEvent())
            }
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        firstMessageDeadline?.cancel()
        if let handle { manager.connectionClosed(handle) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        firstMessageDeadline?.cancel()
        firstMessageDeadline = nil
        guard let handle, let remote = context.channel.remoteAddress else { return }
        manager.deliver(unwrapInboundIn(data), from: SIPPeer(kind: kind, remote: remote, channel: handle))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            manager.logger.debug("closing idle \(kind) connection from \(remoteText(context))")
            context.close(promise: nil)
            return
        }
        if event is SIPSlowMessageEvent {
            manager.countSlowConnection()
            manager.logger.info("closing \(kind) connection from \(remoteText(context)): no complete message in time")
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case NIOSSLError.uncleanShutdown:
            // The peer closed without close_notify: common, and harmless for SIP (messages are framed).
            manager.logger.debug("\(kind) connection from \(remoteText(context)) closed without close_notify")
        case is NIOSSLError, is BoringSSLError:
            manager.countTLSFailure()
            manager.logger.info("closing \(kind) connection from \(remoteText(context)): TLS failed: \(error)")
        default:
            manager.countFramingError()
            manager.logger.info("closing \(kind) connection from \(remoteText(context)): \(error)")
        }
        context.close(promise: nil)
    }
}
