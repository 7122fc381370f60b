#if canImport(Glibc)
import Glibc
#endif
import CMediaSocket
import NIOCore

/// One UDP socket of a media leg (RTP, or RTCP without rtcp-mux), used without NIO's channels:
/// Chorus writes each outgoing packet to the kernel itself, one `sendto`, and reads what arrived
/// in batches when the mixer is about to need it (``MediaReceiver``).
///
/// Why not a NIO channel: every mixer tick moves one packet each way on each of hundreds of
/// sockets. Through NIO a send costs a pipeline write, a pending-writes queue, a flush and a
/// `sendmmsg` of a single message, which measured (perf, 1,000 DTX listeners) about as much
/// user-space time as the kernel's send itself, a quarter of the server's CPU; a receive costs an
/// epoll wake-up, a buffer allocation, an address formatted as text and a pipeline event. With one
/// packet per socket per tick there is nothing for NIO to batch.
///
/// Not thread-safe: it lives on its leg's event loop.
final class MediaSocket: @unchecked Sendable {
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

    /// The descriptor, or -1 once closed.
    private(set) var descriptor: CInt
    /// The port it is bound to.
    let localPort: Int
    private var scratch: UnsafeMutableRawBufferPointer

    private init(descriptor: CInt, localPort: Int) {
        self.descriptor = descriptor
        self.localPort = localPort
        self.scratch = .allocate(byteCount: Self.initialCapacity, alignment: 16)
    }

    deinit {
        close()
        scratch.deallocate()
    }

    /// Creates a non-blocking UDP socket bound to `host:port` that stamps what it receives with
    /// the kernel's arrival time.
    static func bind(host: String, port: Int) throws -> MediaSocket {
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
        // Without arrival stamps the leg would take the read's own time, late by up to a tick.
        guard chorus_enable_arrival_timestamps(descriptor) == 0 else { try closeAndThrow("SO_TIMESTAMPNS") }
        return MediaSocket(descriptor: descriptor, localPort: port == 0 ? Self.boundPort(of: descriptor) : port)
    }

    private static func boundPort(of descriptor: CInt) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let found = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard found == 0 else { return 0 }
        return Int(DatagramSource(storage).port)
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

    /// Reads up to `slots.count` (at most 16) waiting datagrams into the slots' buffers in one
    /// `recvmmsg`, without blocking. Returns how many arrived (0 when none was waiting), or nil
    /// for an error other than an empty socket.
    func receive(into slots: UnsafeMutableBufferPointer<chorus_datagram>) -> Int? {
        guard descriptor >= 0 else { return 0 }
        let received = chorus_receive_datagrams(descriptor, slots.baseAddress, CUnsignedInt(slots.count))
        return received < 0 ? nil : Int(received)
    }

    /// Closes the socket; sending and receiving do nothing afterwards. Stop watching it first
    /// (``MediaReceiver/unregister(_:)``).
    func close() {
        guard descriptor >= 0 else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }
}

/// Where a datagram came from, in a form compared without allocating: what the media path checks
/// every packet against (the latched source, the address in the SDP). A `SocketAddress` is made
/// only when a source is latched.
struct DatagramSource: Hashable, Sendable {
    var family: sa_family_t
    /// Host byte order.
    var port: UInt16
    /// IPv4: the address in the low 32 bits of `high`; IPv6: the 16 bytes.
    var high: UInt64
    var low: UInt64

    init(_ storage: sockaddr_storage) {
        var storage = storage
        family = storage.ss_family
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            port = UInt16(bigEndian: address.sin_port)
            high = UInt64(address.sin_addr.s_addr)
            low = 0
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            port = UInt16(bigEndian: address.sin6_port)
            (high, low) = withUnsafeBytes(of: address.sin6_addr) { ($0.loadUnaligned(as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
        default:
            port = 0
            high = 0
            low = 0
        }
    }

    init?(_ address: SocketAddress?) {
        guard let address else { return nil }
        var storage = sockaddr_storage()
        switch address {
        case .v4(let v4):
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: v4.address, as: sockaddr_in.self) }
        case .v6(let v6):
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: v6.address, as: sockaddr_in6.self) }
        case .unixDomainSocket:
            return nil
        }
        self.init(storage)
    }

    /// The same host, whatever the port.
    func sameHost(as other: DatagramSource) -> Bool {
        family == other.family && high == other.high && low == other.low
    }

    /// The NIO address, with its text form, for sending and logs.
    var socketAddress: SocketAddress? {
        var bytes = ByteBuffer()
        switch Int32(family) {
        case AF_INET:
            bytes.writeInteger(UInt32(truncatingIfNeeded: high), endianness: .little)
        case AF_INET6:
            bytes.writeInteger(high, endianness: .little)
            bytes.writeInteger(low, endianness: .little)
        default:
            return nil
        }
        return try? SocketAddress(packedIPAddress: bytes, port: Int(port))
    }
}
