#if canImport(Glibc)
import Glibc
#endif
import CMediaSocket
import NIOCore
import Synchronization

/// Reads the media sockets of one event loop in batches: once before each mixer tick, every
/// socket with data waiting is read in one `recvmmsg`, and each datagram handed to its leg with
/// the time the kernel received it.
///
/// The mixer needs each packet only at the tick that plays it, so reading as packets arrive (a
/// wake-up and a NIO pipeline event for every one, 50 a second per participant) bought nothing but
/// cost. A room calls ``drain()`` (through ``MediaLeg/receiveWaitingPackets()``) at the start of
/// its tick; a 20 ms fallback timer reads the sockets of legs outside any ticking room. The
/// kernel's timestamps keep the jitter buffer's arrival times (and the delay the room reports)
/// exact, rather than rounded to the read.
///
/// One per event loop that has open legs, made with the first and dropped with the last
/// (``forLoop(_:)``). Everything but that lookup runs on the loop.
final class MediaReceiver: @unchecked Sendable {
    /// Identifies a registration; stale ones (a socket closed while its event was in hand) do not
    /// match a slot reused since.
    struct Token: Equatable {
        fileprivate var slot: UInt32
        fileprivate var generation: UInt32
        fileprivate var raw: UInt64 { UInt64(generation) << 32 | UInt64(slot) }
    }

    private struct Registration {
        let socket: MediaSocket
        let leg: MediaLeg
        let isRTCPPort: Bool
    }

    /// The largest datagram read whole; a longer one is cut short and dropped as malformed.
    static let datagramCapacity = 2_048
    /// Datagrams read from one socket per `recvmmsg`: a tick usually finds one or two.
    static let batch = 8
    /// At most this many batches from one socket per drain (256 datagrams): more than a default
    /// receive buffer holds of small datagrams, so each drain empties a flooded socket and the
    /// flood meets the leg's rate limit, which keeps the participant's packets apart from a
    /// stranger's, instead of the kernel dropping both alike once the buffer is full. Still a
    /// bound: a drain cannot be held on one socket for ever.
    static let batchesPerSocket = 32
    /// Ready descriptors asked of epoll per call.
    static let readyCapacity = 256
    static let fallbackPeriod: TimeAmount = .milliseconds(20)

    let eventLoop: any EventLoop
    private let poller: CInt
    private var registrations: [Registration?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [UInt32] = []
    private var count = 0
    private let slots: UnsafeMutableBufferPointer<chorus_datagram>
    private let buffers: UnsafeMutableRawBufferPointer
    private let readyTokens: UnsafeMutableBufferPointer<UInt64>
    private var fallback: RepeatedTask?
    private var lastDrain = NIODeadline.uptimeNanoseconds(0)
    /// Datagrams read, and `recvmmsg` calls made, since the receiver was made.
    private(set) var datagramsRead = 0
    private(set) var reads = 0

    private static let receivers = Mutex<[ObjectIdentifier: MediaReceiver]>([:])

    private init(eventLoop: any EventLoop) throws {
        let poller = chorus_poller_create()
        guard poller >= 0 else { throw IOError(errnoCode: errno, reason: "epoll_create1") }
        self.eventLoop = eventLoop
        self.poller = poller
        slots = .allocate(capacity: Self.batch)
        buffers = .allocate(byteCount: Self.batch * Self.datagramCapacity, alignment: 16)
        readyTokens = .allocate(capacity: Self.readyCapacity)
        for index in 0..<Self.batch {
            slots[index] = chorus_datagram()
            slots[index].buffer = buffers.baseAddress! + index * Self.datagramCapacity
            slots[index].capacity = Self.datagramCapacity
        }
    }

    deinit {
        _ = close(poller)
        slots.deallocate()
        buffers.deallocate()
        readyTokens.deallocate()
    }

    /// The receiver of `loop`, made if none is. Call on the loop.
    static func forLoop(_ loop: any EventLoop) throws -> MediaReceiver {
        try receivers.withLock { receivers in
            if let existing = receivers[ObjectIdentifier(loop)] { return existing }
            let made = try MediaReceiver(eventLoop: loop)
            receivers[ObjectIdentifier(loop)] = made
            return made
        }
    }

    /// The receiver of `loop` if it has one.
    static func existing(on loop: any EventLoop) -> MediaReceiver? {
        receivers.withLock { $0[ObjectIdentifier(loop)] }
    }

    /// Starts reading `socket` for `leg`. Call on the loop.
    func register(_ socket: MediaSocket, for leg: MediaLeg, isRTCPPort: Bool) throws -> Token {
        eventLoop.preconditionInEventLoop()
        let slot: UInt32
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = UInt32(registrations.count)
            registrations.append(nil)
            generations.append(0)
        }
        let token = Token(slot: slot, generation: generations[Int(slot)])
        guard chorus_poller_add(poller, socket.descriptor, token.raw) == 0 else {
            let code = errno
            freeSlots.append(slot)
            throw IOError(errnoCode: code, reason: "epoll_ctl")
        }
        registrations[Int(slot)] = Registration(socket: socket, leg: leg, isRTCPPort: isRTCPPort)
        count += 1
        if fallback == nil {
            fallback = eventLoop.scheduleRepeatedTask(initialDelay: Self.fallbackPeriod, delay: Self.fallbackPeriod) { [weak self] _ in
                guard let self, self.eventLoop.now - self.lastDrain >= Self.fallbackPeriod - .milliseconds(5) else { return }
                self.drain()
            }
        }
        return token
    }

    /// Stops reading a socket (before it is closed). The last registration gone, the receiver
    /// stops its timer and leaves the loop's registry. Call on the loop.
    func unregister(_ token: Token) {
        eventLoop.preconditionInEventLoop()
        let slot = Int(token.slot)
        guard slot < registrations.count, generations[slot] == token.generation, let registration = registrations[slot] else { return }
        _ = chorus_poller_remove(poller, registration.socket.descriptor)
        registrations[slot] = nil
        generations[slot] &+= 1
        freeSlots.append(token.slot)
        count -= 1
        guard count == 0 else { return }
        fallback?.cancel()
        fallback = nil
        Self.receivers.withLock { receivers in
            if receivers[ObjectIdentifier(eventLoop)] === self { receivers[ObjectIdentifier(eventLoop)] = nil }
        }
    }

    /// Reads every socket with data waiting and hands each datagram to its leg. Returns the
    /// moment the read began: every datagram that had arrived by then was read. Call on the loop.
    @discardableResult
    func drain() -> NIODeadline {
        eventLoop.preconditionInEventLoop()
        let now = eventLoop.now
        lastDrain = now
        // The kernel stamps with the real-time clock; the legs count on the monotonic one. (A step
        // of the wall clock between a packet's arrival and this read misplaces that one arrival
        // by the step; an arrival that would lie in the future is taken as now.)
        let realtimeMinusUptime = MediaLeg.realtimeNanoseconds() - Int64(now.uptimeNanoseconds)
        // Each pass asks epoll again, so a descriptor left with data (a flood) is seen once per pass.
        for _ in 0...(count / Self.readyCapacity) {
            let ready = Int(chorus_poller_ready(poller, readyTokens.baseAddress, CInt(Self.readyCapacity)))
            guard ready > 0 else { break }
            for index in 0..<ready {
                read(readyTokens[index], now: now, realtimeMinusUptime: realtimeMinusUptime)
            }
            if ready < Self.readyCapacity { break }
        }
        return now
    }

    private func read(_ raw: UInt64, now: NIODeadline, realtimeMinusUptime: Int64) {
        let slot = Int(UInt32(truncatingIfNeeded: raw))
        let generation = UInt32(truncatingIfNeeded: raw >> 32)
        for _ in 0..<Self.batchesPerSocket {
            // Looked up again each batch: delivering may close the leg (a key press that hangs up).
            guard slot < registrations.count, generations[slot] == generation, let registration = registrations[slot] else { return }
            guard let received = registration.socket.receive(into: slots) else {
                // An error queued on the socket (ICMP from a peer that went away): reading it clears it.
                return
            }
            reads += 1
            datagramsRead += received
            for index in 0..<received {
                let datagram = slots[index]
                let stamped = datagram.arrival_realtime_ns - realtimeMinusUptime
                let arrival = datagram.arrival_realtime_ns == 0 || stamped > Int64(now.uptimeNanoseconds) || stamped < 0
                    ? now : NIODeadline.uptimeNanoseconds(UInt64(stamped))
                let bytes = UnsafeMutableRawBufferPointer(start: datagram.buffer, count: datagram.length)
                registration.leg.receive(
                    bytes, truncated: datagram.truncated != 0, from: DatagramSource(datagram.source),
                    arrival: arrival, onRTCPPort: registration.isRTCPPort)
            }
            if received < Self.batch { return }
        }
    }
}
