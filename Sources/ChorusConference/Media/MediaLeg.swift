#if canImport(Glibc)
import Glibc
#endif
import ChorusRTP
import Logging
import NIOCore

/// What a media leg reports; called on the leg's event loop.
public protocol MediaLegDelegate: AnyObject {
    /// A key press (RFC 4733), once per press, at its end.
    func mediaLeg(_ leg: MediaLeg, didReceiveDigit digit: Character, durationMs: Int)
}

/// One participant's audio transport: the RTP socket (and the RTCP one unless rtcp-mux), SRTP in
/// both directions, symmetric RTP, and the jitter buffer the room's mixer pulls from.
///
/// Inbound, a datagram is checked in this order, and dropped and counted at the first failure:
/// RTP or RTCP shape, SRTP authentication and replay, payload type, source address. Symmetric
/// RTP latching follows the peer to a new address only when its packets authenticate (SRTP), or,
/// for plain RTP, come from the address in the SDP or arrive while the current source is silent
/// (a NAT rebinding), so a stranger spraying packets cannot take the stream over.
///
/// Its sockets are read in batches by the loop's ``MediaReceiver``, just before each mixer tick,
/// and written to directly (``MediaSocket``).
///
/// The leg, its sockets and everything it touches live on one event loop: the room's.
public final class MediaLeg: @unchecked Sendable {
    public let eventLoop: any EventLoop
    public private(set) var parameters: MediaLegParameters
    public private(set) var statistics = MediaLegStatistics()
    /// The room's mixer pulls one tick at a time from here.
    public var jitterBuffer: JitterBuffer
    public weak var delegate: (any MediaLegDelegate)?
    /// When the last RTP or RTCP packet was accepted: the inactivity timeout reads it.
    public private(set) var lastActivity: NIODeadline
    /// The peer's address RTP is being taken from and sent to, once known.
    public private(set) var latchedSource: SocketAddress?
    /// The same, and the SDP's addresses, as compared with every packet's source.
    private var latchedRaw: DatagramSource?
    private var latchedRTCPRaw: DatagramSource?
    private var remoteRTPRaw: DatagramSource?
    private var remoteRTCPRaw: DatagramSource?
    /// RFC 3550 reception statistics of the peer's stream (loss, jitter), for RTCP and logs.
    public private(set) var receiveStatistics: RTPReceiveStatistics
    /// Round-trip time from the peer's last report about Chorus's stream, in milliseconds.
    public private(set) var roundTripMilliseconds: Double?
    /// The SSRC Chorus sends with, and the CNAME its RTCP carries.
    public var ssrc: UInt32 { sendStream.ssrc }
    public let cname: String

    let logger: Logger
    /// RTP is sent and received here, and RTCP too with rtcp-mux.
    private var rtpSocket: MediaSocket?
    private var rtcpSocket: MediaSocket?
    private var receiver: MediaReceiver?
    private var registrations: [MediaReceiver.Token] = []
    private var inboundSRTP: SRTPSession?
    private var outboundSRTP: SRTPSession?
    private var sendStream: RTPSendStream
    private var telephoneEvents: TelephoneEventReceiver
    private var latchedRTCPSource: SocketAddress?
    private var lastFromLatchedSource: NIODeadline = .uptimeNanoseconds(0)
    /// The SSRC of the participant's audio stream, once a packet of it arrived: what Chorus names
    /// in the CSRC lists of the mixes that carry their voice.
    public private(set) var remoteSSRC: UInt32?
    private var rtcpScheduler: RTCPScheduler
    private var sentSinceLastReport = false
    /// A source silent this long may be replaced by a new plain-RTP source (NAT rebinding).
    static let sourceSilenceBeforeSwitch: TimeAmount = .seconds(1)
    private let startTime: NIODeadline
    private var packetRate: PacketRateLimiter

    /// G.711 phones may send 10 ms packets: its buffer runs on a 10 ms tick (pulled twice per mixer
    /// tick by ``G711TickDecoder``). Opus runs on the mixer's 20 ms tick.
    ///
    /// The buffer's floor is 5 ms beyond the fastest packet's transit, not the 20 ms a buffer fed
    /// at read time needs: arrivals here are the kernel's own timestamps, and the room pulls at the
    /// moment it read the sockets (``receiveWaitingPackets()``), so every packet that arrived
    /// before a pull is in the buffer and the tick's phase costs nothing extra. The 5 ms cover the
    /// millisecond rounding of arrival times; network jitter raises the target above it.
    static func jitterBufferConfiguration(clockRate: Int) -> JitterBufferConfiguration {
        JitterBufferConfiguration(clockRate: clockRate, samplesPerTick: clockRate == 8_000 ? 80 : nil, minDelayMs: minimumJitterDelayMs)
    }

    static let minimumJitterDelayMs = 5

    /// The local RTP port (RTCP is this + 1 without rtcp-mux).
    public var localRTPPort: Int? { rtpSocket?.localPort }

    private init(eventLoop: any EventLoop, parameters: MediaLegParameters, logger: Logger) throws(SRTPError) {
        self.eventLoop = eventLoop
        self.parameters = parameters
        self.logger = logger
        self.jitterBuffer = JitterBuffer(configuration: Self.jitterBufferConfiguration(clockRate: parameters.clockRate))
        self.sendStream = RTPSendStream(payloadType: parameters.payloadType, clockRate: parameters.clockRate) { UInt64.random(in: 0...UInt64.max) }
        self.telephoneEvents = TelephoneEventReceiver(clockRate: parameters.telephoneEventClockRate)
        self.receiveStatistics = RTPReceiveStatistics(clockRate: parameters.clockRate)
        self.cname = "chorus-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        // Session bandwidth in bits/s: an Opus or G.711 voice stream each way is well under 64 kbit/s.
        self.rtcpScheduler = RTCPScheduler(sessionBandwidth: 64_000, now: 0) { Double.random(in: 0..<1) }
        self.startTime = eventLoop.now
        self.lastActivity = eventLoop.now
        self.packetRate = PacketRateLimiter(packetsPerSecond: parameters.maxPacketsPerSecond, now: eventLoop.now.uptimeNanoseconds)
        self.remoteRTPRaw = DatagramSource(parameters.remoteRTP)
        self.remoteRTCPRaw = DatagramSource(parameters.remoteRTCP)
        try installSRTP(parameters.srtp)
    }

    /// Opens a leg on `eventLoop`: binds RTP on `host:rtpPort`, and RTCP on `rtpPort + 1` unless
    /// the call uses rtcp-mux.
    public static func open(
        on eventLoop: any EventLoop, host: String, rtpPort: Int, parameters: MediaLegParameters, logger: Logger
    ) -> EventLoopFuture<MediaLeg> {
        eventLoop.submit {
            let leg = try MediaLeg(eventLoop: eventLoop, parameters: parameters, logger: logger)
            do {
                let receiver = try MediaReceiver.forLoop(eventLoop)
                leg.receiver = receiver
                let rtp = try MediaSocket.bind(host: host, port: rtpPort)
                leg.rtpSocket = rtp
                leg.registrations.append(try receiver.register(rtp, for: leg, isRTCPPort: false))
                if !parameters.rtcpMux {
                    let rtcp = try MediaSocket.bind(host: host, port: rtpPort + 1)
                    leg.rtcpSocket = rtcp
                    leg.registrations.append(try receiver.register(rtcp, for: leg, isRTCPPort: true))
                }
            } catch {
                // Do not leak the half that did bind.
                leg.closeSockets()
                throw error
            }
            return leg
        }
    }

    private func installSRTP(_ keys: MediaLegParameters.SRTPKeys?) throws(SRTPError) {
        guard let keys else {
            inboundSRTP = nil
            outboundSRTP = nil
            return
        }
        inboundSRTP = try SRTPSession(suite: keys.suite, keyingMaterial: keys.inboundKeyingMaterial, direction: .inbound)
        outboundSRTP = try SRTPSession(suite: keys.suite, keyingMaterial: keys.outboundKeyingMaterial, direction: .outbound)
    }

    /// Applies a renegotiation (re-INVITE: hold, resume, codec or address change). The outgoing
    /// stream keeps its SSRC and continues its sequence numbers and timestamps.
    public func update(_ parameters: MediaLegParameters) throws(SRTPError) {
        eventLoop.preconditionInEventLoop()
        let keysChanged = parameters.srtp?.inboundKeyingMaterial != self.parameters.srtp?.inboundKeyingMaterial
            || parameters.srtp?.outboundKeyingMaterial != self.parameters.srtp?.outboundKeyingMaterial
        if keysChanged { try installSRTP(parameters.srtp) }
        if parameters.payloadType != self.parameters.payloadType || parameters.clockRate != self.parameters.clockRate {
            sendStream.changeCodec(payloadType: parameters.payloadType, clockRate: parameters.clockRate)
            jitterBuffer = JitterBuffer(configuration: Self.jitterBufferConfiguration(clockRate: parameters.clockRate))
        }
        if parameters.remoteRTP != self.parameters.remoteRTP {
            latchedSource = nil
            latchedRaw = nil
        }
        remoteRTPRaw = DatagramSource(parameters.remoteRTP)
        remoteRTCPRaw = DatagramSource(parameters.remoteRTCP)
        // A resumed call gets a full inactivity timeout before it must have sent anything.
        lastActivity = eventLoop.now
        self.parameters = parameters
    }

    /// Milliseconds since the leg opened, on the loop's clock (the jitter buffer's time base).
    public var nowMilliseconds: Int64 { (eventLoop.now - startTime).nanoseconds / 1_000_000 }

    /// The moment a time in the leg's milliseconds (``nowMilliseconds``, the jitter buffer's
    /// arrival times) stands for.
    public func deadline(ofMilliseconds milliseconds: Int64) -> NIODeadline {
        startTime + .milliseconds(milliseconds)
    }

    // MARK: - Receiving

    /// Reads what is waiting on every media socket of this leg's event loop (its own and its
    /// neighbours'), so that a tick about to pull from the jitter buffers finds every packet that
    /// arrived before it. Call on the loop.
    ///
    /// Returns the moment of the read: pull the loop's jitter buffers at that time (in each leg's
    /// ``milliseconds(at:)``), since a packet that arrives later is not in them yet.
    @discardableResult
    public func receiveWaitingPackets() -> NIODeadline {
        receiver?.drain() ?? eventLoop.now
    }

    /// One datagram read from the RTP socket, or the RTCP one (`onRTCPPort`), received by the
    /// kernel at `arrival`. SRTP decrypts `bytes` in place.
    func receive(
        _ bytes: UnsafeMutableRawBufferPointer, truncated: Bool, from source: DatagramSource, arrival: NIODeadline, onRTCPPort: Bool
    ) {
        let fromParticipant = onRTCPPort
            ? source == latchedRTCPRaw || source == remoteRTCPRaw : source == latchedRaw || source == remoteRTPRaw
        guard packetRate.admit(fromParticipant: fromParticipant, now: arrival.uptimeNanoseconds) else { statistics.droppedRateLimited += 1; return }
        guard bytes.count >= 8, !truncated else {
            statistics.droppedMalformed += 1
            return
        }
        // RFC 5761 §4: with rtcp-mux, payload types 64-95 (second byte 192-223) are RTCP.
        let isRTCP = onRTCPPort || (parameters.rtcpMux && (192...223).contains(bytes[1]))
        if isRTCP {
            receiveRTCP(bytes, from: source, arrival: arrival)
        } else {
            receiveRTP(bytes, from: source, arrival: arrival)
        }
    }

    private func receiveRTP(_ bytes: UnsafeMutableRawBufferPointer, from source: DatagramSource, arrival: NIODeadline) {
        guard bytes.count >= 12, bytes[0] >> 6 == 2 else {
            statistics.droppedMalformed += 1
            return
        }
        var length = bytes.count
        if let inboundSRTP {
            do {
                length = try inboundSRTP.unprotect(srtp: bytes, length: bytes.count)
            } catch {
                count(error)
                return
            }
        }
        guard let packet = try? RTPPacketView(bytes: UnsafeRawBufferPointer(rebasing: bytes[0..<length])) else {
            statistics.droppedMalformed += 1
            return
        }
        let isEvent = packet.payloadType == parameters.telephoneEventPayloadType
        guard packet.payloadType == parameters.payloadType || isEvent else {
            statistics.droppedPayloadType += 1
            return
        }
        guard accept(source, authenticated: inboundSRTP != nil, now: arrival) else {
            statistics.droppedUnknownSource += 1
            return
        }
        guard parameters.receives else {
            statistics.droppedNotReceiving += 1
            return
        }
        statistics.rtpReceived += 1
        lastActivity = max(lastActivity, arrival)
        let arrivalMs = milliseconds(at: arrival)
        if isEvent {
            let events = telephoneEvents.receive(timestamp: packet.timestamp, marker: packet.marker, payload: packet.payload, now: arrivalMs)
            deliver(events)
        } else {
            if remoteSSRC != packet.ssrc {
                remoteSSRC = packet.ssrc
                receiveStatistics = RTPReceiveStatistics(clockRate: parameters.clockRate)
            }
            let arrivalUnits = UInt32(truncatingIfNeeded: arrivalMs * Int64(parameters.clockRate) / 1000)
            _ = receiveStatistics.update(sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, arrival: arrivalUnits)
            let level = parameters.audioLevelExtensionID.flatMap { packet.audioLevel(id: $0) }
            jitterBuffer.insert(
                sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, ssrc: packet.ssrc,
                marker: packet.marker, payload: packet.payload, arrivalMs: arrivalMs, audioLevel: level)
        }
    }

    private func receiveRTCP(_ bytes: UnsafeMutableRawBufferPointer, from source: DatagramSource, arrival: NIODeadline) {
        var length = bytes.count
        if let inboundSRTP {
            do {
                length = try inboundSRTP.unprotectRTCP(bytes, length: bytes.count)
            } catch {
                count(error)
                return
            }
        }
        guard let packets = try? RTCPParser.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<length]), requireReportFirst: false) else {
            statistics.droppedMalformed += 1
            return
        }
        // RTCP follows the RTP source's host; its port is learnt from what arrives.
        guard inboundSRTP != nil || latchedRaw.map({ $0.sameHost(as: source) }) ?? true else {
            statistics.droppedUnknownSource += 1
            return
        }
        if latchedRTCPRaw != source {
            latchedRTCPRaw = source
            latchedRTCPSource = source.socketAddress
        }
        statistics.rtcpReceived += 1
        lastActivity = max(lastActivity, arrival)
        rtcpScheduler.didReceive(packetSize: length)
        let now = Self.wallClock()
        for packet in packets {
            let blocks: [RTCPReportBlock]
            switch packet {
            case .senderReport(_, let info, let reportBlocks):
                receiveStatistics.receivedSenderReport(ntp: info.ntpTimestamp, arrival: now)
                blocks = reportBlocks
            case .receiverReport(_, let reportBlocks):
                blocks = reportBlocks
            default:
                continue
            }
            if let mine = blocks.first(where: { $0.ssrc == ssrc }), let rtt = mine.roundTripMilliseconds(arrival: now) {
                roundTripMilliseconds = rtt
            }
        }
    }

    /// The wall clock as NTP time, for sender reports and round-trip times.
    static func wallClock() -> NTPTimestamp {
        NTPTimestamp(unixNanoseconds: UInt64(realtimeNanoseconds()))
    }

    /// CLOCK_REALTIME in nanoseconds since 1970.
    static func realtimeNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    /// A moment in the leg's milliseconds (``nowMilliseconds``, the jitter buffer's time base).
    public func milliseconds(at moment: NIODeadline) -> Int64 {
        (moment - startTime).nanoseconds / 1_000_000
    }

    private func count(_ error: SRTPError) {
        switch error {
        case .replay: statistics.droppedReplay += 1
        case .authenticationFailed: statistics.droppedAuthentication += 1
        default: statistics.droppedMalformed += 1
        }
    }

    /// Symmetric RTP: decides whether a packet from `source` belongs to this participant.
    private func accept(_ source: DatagramSource, authenticated: Bool, now: NIODeadline) -> Bool {
        if source == latchedRaw {
            lastFromLatchedSource = max(lastFromLatchedSource, now)
            return true
        }
        let matchesSDP = source == remoteRTPRaw
        let currentIsSilent = latchedRaw == nil || now - lastFromLatchedSource > Self.sourceSilenceBeforeSwitch
        guard authenticated || matchesSDP || currentIsSilent, let address = source.socketAddress else { return false }
        if let previous = latchedSource {
            statistics.sourceChanges += 1
            logger.info("media source moved from \(previous) to \(address)")
        }
        latchedSource = address
        latchedRaw = source
        lastFromLatchedSource = now
        return true
    }

    private func deliver(_ events: [TelephoneEvent]) {
        for event in events {
            guard case .digit(let digit, let durationMs) = event else { continue }
            statistics.digits += 1
            delegate?.mediaLeg(self, didReceiveDigit: digit, durationMs: durationMs)
        }
    }

    /// Housekeeping once per mixer tick: closes DTMF events whose end packets were lost, and sends
    /// an RTCP report when the RFC 3550 A.7 interval has passed.
    public func tick() {
        if let event = telephoneEvents.poll(now: nowMilliseconds) { deliver([event]) }
        if rtcpScheduler.shouldSend(now: Double(nowMilliseconds) / 1000) {
            sendRTCP(bye: nil)
        }
    }

    /// Sends an SR (when Chorus sent RTP since the last report) or RR, with a report block on the
    /// peer's stream, SDES CNAME, and a BYE when leaving.
    private func sendRTCP(bye reason: String??) {
        let socket = parameters.rtcpMux ? rtpSocket : rtcpSocket
        let destination = parameters.rtcpMux
            ? (latchedSource ?? parameters.remoteRTP) : (latchedRTCPSource ?? parameters.remoteRTCP)
        guard let socket, let destination else { return }
        let now = Self.wallClock()
        var blocks: [RTCPReportBlock] = []
        if let remoteSSRC, receiveStatistics.isValid {
            blocks.append(receiveStatistics.makeReportBlock(ssrc: remoteSSRC, now: now))
        }
        let senderInfo = sentSinceLastReport
            ? RTCPSenderInfo(
                ntpTimestamp: now, rtpTimestamp: sendStream.senderReportTimestamp(elapsedMillisecondsSinceLastPacket: 0),
                packetCount: sendStream.packetCount, octetCount: sendStream.octetCount)
            : nil
        let byeSources: (ssrcs: [UInt32], reason: String?)? = reason.map { ([ssrc], $0) }
        guard var bytes = try? RTCPCompound.report(ssrc: ssrc, senderInfo: senderInfo, blocks: blocks, cname: cname, bye: byeSources) else {
            return
        }
        if let outboundSRTP {
            bytes += [UInt8](repeating: 0, count: SRTPSession.maxTrailerLength)
            let length = bytes.count - SRTPSession.maxTrailerLength
            guard let protected = try? bytes.withUnsafeMutableBytes({ raw throws(SRTPError) in try outboundSRTP.protectRTCP(raw, length: length) }) else {
                return
            }
            bytes.removeLast(bytes.count - protected)
        }
        sentSinceLastReport = false
        rtcpScheduler.didSend(packetSize: bytes.count, now: Double(nowMilliseconds) / 1000)
        _ = socket.send(to: destination, capacity: bytes.count) { out in
            out.copyBytes(from: bytes)
            return bytes.count
        }
    }

    // MARK: - Sending

    /// Sends one RTP packet carrying `payload` (an encoded frame of `samples` at the codec's
    /// clock rate). `marker` starts a talkspurt. The header's CSRC list names
    /// `contributingSources` (at most 15) except `excluded`: who is in the mix (RFC 3550 §6.1).
    /// Does nothing while Chorus does not send, or before any destination is known.
    public func send(
        payload: UnsafeRawBufferPointer, samples: Int, marker: Bool = false, contributingSources: [UInt32] = [], excluding excluded: UInt32? = nil
    ) {
        guard parameters.sends, let destination = latchedSource ?? parameters.remoteRTP, let sender = rtpSocket else { return }
        let header = sendStream.nextHeader(samples: samples, payloadOctets: payload.count, marker: marker)
        // At most 15 CSRCs, on the stack.
        var csrcs: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let result = withUnsafeMutableBytes(of: &csrcs) { raw in
            let list = raw.bindMemory(to: UInt32.self)
            var count = 0
            for source in contributingSources where source != excluded && count < list.count {
                list[count] = source
                count += 1
            }
            let capacity = RTPWriter.headerLength(csrcCount: count) + payload.count + SRTPSession.maxTrailerLength
            return sender.send(to: destination, capacity: capacity) { out in
                guard let length = try? RTPWriter.writePacket(
                    header, csrcs: UnsafeBufferPointer(rebasing: list[0..<count]), payload: payload, into: out)
                else { return nil }
                guard let outboundSRTP else { return length }
                return try? outboundSRTP.protect(rtp: out, length: length)
            }
        }
        switch result {
        case .sent:
            statistics.rtpSent += 1
            sentSinceLastReport = true
        case .notBuilt:
            logger.debug("could not build an RTP packet of \(payload.count) bytes")
        case .failed(let code):
            // The sequence number is spent: to the peer this is a packet lost on the way.
            statistics.rtpSendFailures += 1
            logger.debug("RTP send failed: errno \(code)")
        case .closed:
            break
        }
    }

    /// Leaves a gap in the outgoing timestamps (silence not sent, DTX, hold) so the next packet
    /// carries wall-clock time and a marker bit.
    public func skipSending(samples: Int) {
        sendStream.skip(samples: samples)
    }

    /// Sends RTCP BYE (RFC 3550 §6.6) and closes the sockets. Callable from any thread.
    public func close(reason: String? = nil) -> EventLoopFuture<Void> {
        eventLoop.submit {
            self.sendRTCP(bye: .some(reason))
            self.closeSockets()
        }
    }

    /// Stops reading the sockets and closes them.
    private func closeSockets() {
        for token in registrations { receiver?.unregister(token) }
        registrations = []
        rtpSocket?.close()
        rtpSocket = nil
        rtcpSocket?.close()
        rtcpSocket = nil
    }
}
