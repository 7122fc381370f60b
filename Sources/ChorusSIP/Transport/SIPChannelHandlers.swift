import NIOCore

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

/// One TCP (later TLS) connection.
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

/// Frames a TCP byte stream into SIP messages (RFC 3261 §18.3).
struct SIPStreamDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let limits: SIPParserLimits

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let message = try SIPStreamFramer.nextMessage(from: &buffer, limits: limits) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Delivers framed messages of one connection, tracks the connection for reuse, closes it on
/// framing errors and when idle.
final class SIPStreamHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private unowned let manager: SIPTransportManager
    private let kind: SIPTransportKind
    private var handle: SIPStreamChannel?

    init(manager: SIPTransportManager, kind: SIPTransportKind) {
        self.manager = manager
        self.kind = kind
    }

    func channelActive(context: ChannelHandlerContext) {
        let handle = SIPStreamChannel(channel: context.channel, kind: kind)
        self.handle = handle
        manager.connectionOpened(handle)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let handle { manager.connectionClosed(handle) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let handle, let remote = context.channel.remoteAddress else { return }
        manager.deliver(unwrapInboundIn(data), from: SIPPeer(kind: kind, remote: remote, channel: handle))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            manager.logger.debug("closing idle \(kind) connection from \(context.channel.remoteAddress.map(\.sipHostPort) ?? "?")")
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        manager.countFramingError()
        manager.logger.info("closing \(kind) connection from \(context.channel.remoteAddress.map(\.sipHostPort) ?? "?"): \(error)")
        context.close(promise: nil)
    }
}
