import ChorusSIP
import NIOCore
import NIOPosix
import NIOSSL
import XCTest

/// A SIP client that speaks raw bytes over real loopback sockets, so tests see exactly what is on the
/// wire. Every wait is bounded.
public final class RawSIPClient: @unchecked Sendable {
    public enum Kind: Sendable {
        case udp, tcp
        /// TLS 1.2+ that trusts exactly `trusting` (the server's certificate, pinned), or anything when nil.
        case tls(trusting: [NIOSSLCertificate]?)
        /// TLS that trusts anything.
        public static var tls: Kind { .tls(trusting: nil) }
        public var isDatagram: Bool { if case .udp = self { true } else { false } }
    }
    public let kind: Kind
    public let server: SocketAddress
    private let channel: any Channel
    private let mailbox: Mailbox

    /// Messages received and not yet taken, and at most one waiter; touched on the channel's loop only.
    private final class Mailbox: @unchecked Sendable {
        var messages: [ByteBuffer] = []
        var waiter: EventLoopPromise<ByteBuffer?>?
        var closed = false

        func deliver(_ message: ByteBuffer) {
            if let waiter {
                self.waiter = nil
                waiter.succeed(message)
            } else {
                messages.append(message)
            }
        }

        func close() {
            closed = true
            waiter?.succeed(nil)
            waiter = nil
        }
    }

    private final class DatagramCollector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let mailbox: Mailbox
        init(mailbox: Mailbox) { self.mailbox = mailbox }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            mailbox.deliver(unwrapInboundIn(data).data)
        }
    }

    private final class StreamCollector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let mailbox: Mailbox
        var stream = ByteBuffer()
        init(mailbox: Mailbox) { self.mailbox = mailbox }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            stream.writeBuffer(&bytes)
            while let message = try? SIPStreamFramer.nextMessage(from: &stream) { mailbox.deliver(message) }
        }
        func channelInactive(context: ChannelHandlerContext) { mailbox.close() }
    }

    private init(kind: Kind, server: SocketAddress, channel: any Channel, mailbox: Mailbox) {
        self.kind = kind
        self.server = server
        self.channel = channel
        self.mailbox = mailbox
    }

    /// - Parameter localHost: the address to send from (another loopback address such as
    ///   127.0.0.2 makes a second source); the loopback address of the server's family by default.
    public static func connect(_ kind: Kind, to server: SocketAddress, from localHost: String? = nil) async throws -> RawSIPClient {
        let mailbox = Mailbox()
        let group = MultiThreadedEventLoopGroup.singleton
        let channel: any Channel
        let local = try SocketAddress(ipAddress: localHost ?? (server.protocol == .inet6 ? "::1" : "127.0.0.1"), port: 0)
        switch kind {
        case .udp:
            channel = try await DatagramBootstrap(group: group)
                .channelInitializer { $0.pipeline.addHandler(DatagramCollector(mailbox: mailbox)) }
                .bind(to: local).get()
        case .tcp:
            channel = try await ClientBootstrap(group: group)
                .channelInitializer { $0.pipeline.addHandler(StreamCollector(mailbox: mailbox)) }
                .bind(to: local)
                .connect(to: server).get()
        case .tls(let trusted):
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.minimumTLSVersion = .tlsv12
            if let trusted {
                configuration.trustRoots = .certificates(trusted)
                configuration.certificateVerification = .noHostnameVerification
            } else {
                configuration.certificateVerification = .none
            }
            let context = try NIOSSLContext(configuration: configuration)
            channel = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                        try channel.pipeline.syncOperations.addHandler(StreamCollector(mailbox: mailbox))
                    }
                }
                .bind(to: local)
                .connect(to: server).get()
        }
        return RawSIPClient(kind: kind, server: server, channel: channel, mailbox: mailbox)
    }

    /// The local port, as the server sees it.
    public var localPort: Int { channel.localAddress?.port ?? 0 }
    public var isConnected: Bool { channel.isActive }

    public func send(_ text: String) async throws {
        try await sendBytes(ByteBuffer(string: text))
    }

    public func sendBytes(_ bytes: ByteBuffer) async throws {
        if kind.isDatagram {
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: server, data: bytes))
        } else {
            try await channel.writeAndFlush(bytes)
        }
    }

    /// The next message from the server, or nil after `timeout` (or when the connection closed).
    public func receive(timeout: Duration = .seconds(3)) async -> ByteBuffer? {
        let loop = channel.eventLoop
        let mailbox = self.mailbox
        let future: EventLoopFuture<ByteBuffer?> = loop.flatSubmit {
            if !mailbox.messages.isEmpty { return loop.makeSucceededFuture(mailbox.messages.removeFirst()) }
            if mailbox.closed { return loop.makeSucceededFuture(nil) }
            let promise = loop.makePromise(of: ByteBuffer?.self)
            mailbox.waiter = promise
            let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
            loop.scheduleTask(in: .nanoseconds(nanoseconds)) {
                if let waiter = mailbox.waiter, waiter.futureResult === promise.futureResult {
                    mailbox.waiter = nil
                    promise.succeed(nil)
                }
            }
            return promise.futureResult
        }
        return (try? await future.get()) ?? nil
    }

    /// The next response, parsed, skipping provisional ones unless asked not to.
    public func response(timeout: Duration = .seconds(3), skippingProvisional: Bool = true) async throws -> SIPResponse {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let bytes = await receive(timeout: deadline - ContinuousClock.now) else { break }
            guard case .response(let response) = try SIPMessageParser.parse(bytes, framing: kind.isDatagram ? .datagram : .stream) else { continue }
            if skippingProvisional && response.isProvisional { continue }
            return response
        }
        throw TimeoutError()
    }

    /// Waits for the next request with this method, answers it with `status` (its own Via, From,
    /// To, Call-ID and CSeq copied, a To tag added when it has none) and returns the request's
    /// text; nil when none came within `timeout`.
    public func answerNextRequest(_ method: String, status: String = "200 OK", timeout: Duration = .seconds(5)) async throws -> String? {
        guard let text = await nextRequest(method, timeout: timeout) else { return nil }
        try await respond(to: text, status: status)
        return text
    }

    /// The next request with this method (others are skipped), as text; nil after `timeout`.
    public func nextRequest(_ method: String? = nil, timeout: Duration = .seconds(5)) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let bytes = await receive(timeout: deadline - ContinuousClock.now) else { break }
            let text = String(buffer: bytes)
            if let method, text.hasPrefix(method + " ") { return text }
            if method == nil, !text.hasPrefix("SIP/2.0 ") { return text }
        }
        return nil
    }

    /// Answers the request `text` with `status`: its Via, From, To (given `toTag` when it has
    /// none), Call-ID and CSeq copied, then `headers` and `body`.
    public func respond(to text: String, status: String, toTag: String = SIPToken.tag(), headers: [String] = [], body: String = "") async throws {
        let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
        let copied = head.components(separatedBy: "\r\n").filter { line in
            ["Via:", "From:", "To:", "Call-ID:", "CSeq:"].contains { line.hasPrefix($0) }
        }.map { line in
            line.hasPrefix("To:") && !line.contains(";tag=") ? line + ";tag=\(toTag)" : line
        }
        let lines = ["SIP/2.0 \(status)"] + copied + headers + ["Content-Length: \(body.utf8.count)"]
        try await send(lines.joined(separator: "\r\n") + "\r\n\r\n" + body)
    }

    public struct TimeoutError: Error, CustomStringConvertible {
        public var description: String { "no response from the server in time" }
    }

    public func close() async {
        try? await channel.close()
    }
}
