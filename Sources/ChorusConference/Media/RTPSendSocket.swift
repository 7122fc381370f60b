#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// The send side of a leg's RTP socket: Chorus hands each outgoing RTP packet to the kernel
/// itself, one `sendto`, rather than through the channel's pipeline. NIO still reads the socket.
///
/// Why: every mixer tick sends one packet on each of hundreds of sockets. Through NIO each costs
/// a pipeline write, a pending-writes queue, a flush and a `sendmmsg` of a single message, which
/// measured (perf, 1,000 DTX listeners) about as much user-space time as the kernel's send itself,
/// a quarter of the server's CPU. With one packet per socket per tick there is nothing to batch.
///
/// The socket is created and bound here and given to NIO (``DatagramBootstrap/withBoundSocket(_:)``),
/// which owns that descriptor and closes it with the channel. This keeps a `dup` of it, so the
/// descriptor it writes to can never be closed under it and reused for another file; ``close()``
/// (or deinit) closes the copy. Not thread-safe: it lives on its leg's event loop.
final class RTPSendSocket {
    /// What ``send(to:capacity:building:)`` did.
    enum SendResult: Equatable {
        case sent(bytes: Int)
        /// The packet builder gave nothing to send.
        case notBuilt
        /// The kernel refused it (`errno`): a full socket buffer (`EAGAIN`), an unreachable
        /// network. RTP is not retransmitted, so the packet is dropped.
        case failed(errno: CInt)
        case closed
    }

    /// The scratch buffer's first size: an Opus frame's 1,275 bytes with room for the RTP header,
    /// 15 CSRCs and the SRTP trailer. A larger packet (a padded Opus payload forwarded as it came)
    /// grows it.
    static let initialCapacity = 1_500

    private var descriptor: CInt
    private var scratch: UnsafeMutableRawBufferPointer

    private init(descriptor: CInt) {
        self.descriptor = descriptor
        self.scratch = .allocate(byteCount: Self.initialCapacity, alignment: 16)
    }

    deinit {
        close()
        scratch.deallocate()
    }

    /// Creates a UDP socket bound to `host:port`. Returns the descriptor for NIO to own, and the
    /// sender holding its own copy.
    static func bind(host: String, port: Int) throws -> (channelDescriptor: CInt, sender: RTPSendSocket) {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let type = CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_NONBLOCK.rawValue) | CInt(SOCK_CLOEXEC.rawValue)
        let descriptor = socket(address.protocol.rawValue, type, 0)
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        func closeAndThrow(_ reason: String) throws -> Never {
            let code = errno
            _ = Glibc.close(descriptor)
            throw IOError(errnoCode: code, reason: reason)
        }
        let bound = address.withSockAddr { pointer, length in Glibc.bind(descriptor, pointer, socklen_t(length)) }
        guard bound == 0 else { try closeAndThrow("bind to \(address)") }
        let copy = dup(descriptor)
        guard copy >= 0 else { try closeAndThrow("dup") }
        return (descriptor, RTPSendSocket(descriptor: copy))
    }

    /// Builds a packet of at most `capacity` bytes in the reused scratch buffer with `build` (it
    /// returns the packet's length, or nil to send nothing) and sends it to `destination` without
    /// blocking.
    func send(
        to destination: SocketAddress, capacity: Int, building build: (UnsafeMutableRawBufferPointer) -> Int?
    ) -> SendResult {
        guard descriptor >= 0 else { return .closed }
        if capacity > scratch.count {
            scratch.deallocate()
            scratch = .allocate(byteCount: capacity, alignment: 16)
        }
        guard let length = build(scratch), length > 0, length <= scratch.count else { return .notBuilt }
        let sent = destination.withSockAddr { address, addressLength in
            sendto(descriptor, scratch.baseAddress, length, CInt(MSG_DONTWAIT), address, socklen_t(addressLength))
        }
        return sent < 0 ? .failed(errno: errno) : .sent(bytes: sent)
    }

    /// Closes this copy of the descriptor; sending does nothing afterwards. NIO closes its own.
    func close() {
        guard descriptor >= 0 else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }
}
