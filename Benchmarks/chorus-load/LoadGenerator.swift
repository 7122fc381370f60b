#if canImport(Glibc)
import Glibc
#endif
import ChorusCodecs
import ChorusRTP
import ChorusSDP
import ChorusSIP
import NIOCore
import NIOPosix

/// What one run asks for.
struct LoadPlan {
    var server: SocketAddress
    var localHost = "127.0.0.1"
    var rooms = 1
    var participantsPerRoom = 10
    var talkersPerRoom = 3
    var roomPrefix = "load"
    var listenersUseDTX = false
    var srtp = false
    var audioLevels = true
    var joinsPerSecond = 200.0
    /// The inter-arrival p99 at or above which the run fails, in ms.
    var interArrivalLimitMs = 30.0
    var participantsPerSocket = 250
    /// Sampled participants whose audio is decoded and checked (talkers and listeners of the first rooms).
    var sampledRooms = 3

    var participantCount: Int { rooms * participantsPerRoom }
}

/// Sends and receives everything on one event loop: the SIP dialogs (UDP), and the RTP of every
/// participant over a few shared sockets (Chorus gives each call its own port, so one socket of
/// ours can serve hundreds of calls: what comes back is told apart by its source port). A 20 ms
/// tick writes every participant's packet and flushes once per socket, which SwiftNIO turns into
/// `sendmmsg`; reads are vectored (`recvmmsg`). Payloads are pre-encoded; only sampled
/// participants' audio is decoded.
final class LoadGenerator: @unchecked Sendable {
    let plan: LoadPlan
    let loop: any EventLoop
    let audio: LoadAudio
    private(set) var participants: [LoadParticipant] = []
    private var byCallID: [String: Int] = [:]
    /// Participant index by the Chorus port their stream comes from (-1: none).
    private var byChorusPort = [Int32](repeating: -1, count: 65_536)
    private var sipChannel: (any Channel)?
    private var mediaChannels: [any Channel] = []
    /// Per media socket, the buffer a tick's packets are written into, back to back; reused once
    /// the socket has sent them (the slices handed to it are the only other references).
    private var sendBuffers: [ByteBuffer] = []
    /// This tick's packets: where each lies in its socket's send buffer, and where it goes. The
    /// buffers are only sliced once every packet is written: a slice held by a pending write
    /// would make the next write copy the whole buffer.
    private var pending: [(socket: Int, start: Int, length: Int, destination: SocketAddress)] = []
    /// Where a sampled participant's packet is decoded.
    private var pcm = [Int16](repeating: 0, count: 5760)
    private var sipPort = 0
    private var mediaPorts: [Int] = []
    private var tickIndex = 0
    private var tickStart = NIODeadline.now()
    private var ticking = false

    // Measurement window.
    private(set) var windowOpen = false
    private(set) var windowStartedAt = 0.0
    private(set) var windowEndedAt = 0.0
    /// Inter-arrival times of every participant's packets in the window, in 0.1 ms buckets up to 1 s.
    private(set) var interArrival = Histogram(bucketWidth: 0.1, buckets: 10_000)
    /// Delay probe: talker 0 of room 0 sends tone bursts; a sampled listener times their arrival.
    private(set) var probeDelays: [Double] = []
    private var probeBurstStartedAt: Double?
    private var probeQuietFrames = 0
    static let probeCycleTicks = 30
    static let probeBurstTicks = 10

    init(plan: LoadPlan, loop: any EventLoop) throws {
        self.plan = plan
        self.loop = loop
        self.audio = try LoadAudio(talkers: plan.talkersPerRoom)
    }

    // MARK: Setting up

    func open() async throws {
        let sip = try await DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelInitializer { channel in channel.pipeline.addHandler(SIPReceiver(generator: self)) }
            .bind(host: plan.localHost, port: 0).get()
        sipChannel = sip
        sipPort = sip.localAddress?.port ?? 0
        let sockets = (plan.participantCount + plan.participantsPerSocket - 1) / plan.participantsPerSocket
        for _ in 0..<sockets {
            let channel = try await DatagramBootstrap(group: loop)
                // 32 datagrams of up to 1500 bytes per recvmmsg: one buffer below malloc's mmap
                // threshold, so that it is recycled rather than mapped and faulted in anew.
                .channelOption(.datagramVectorReadMessageCount, value: 32)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 32 * 1500))
                .channelInitializer { channel in channel.pipeline.addHandler(MediaReceiver(generator: self)) }
                .bind(host: plan.localHost, port: 0).get()
            // Chorus answers a whole tick's packets in a burst: give the socket room for all of them.
            Self.forceReceiveBuffer(channel, bytes: 16 << 20)
            mediaChannels.append(channel)
            mediaPorts.append(channel.localAddress?.port ?? 0)
            sendBuffers.append(channel.allocator.buffer(capacity: plan.participantsPerSocket * 200))
        }
        var index = 0
        for room in 0..<plan.rooms {
            for seat in 0..<plan.participantsPerRoom {
                let participant = LoadParticipant(
                    index: index, room: room, talker: seat < plan.talkersPerRoom ? seat : nil,
                    roomID: plan.rooms == 1 ? plan.roomPrefix : "\(plan.roomPrefix)-\(room + 1)",
                    socket: index / plan.participantsPerSocket, srtp: plan.srtp)
                let listeners = seat - plan.talkersPerRoom
                if room < plan.sampledRooms && (participant.isTalker || listeners < 2) {
                    participant.decoder = try OpusDecoder()
                    participant.recording.reserveCapacity(LoadParticipant.recordingLimit)
                }
                participants.append(participant)
                byCallID[participant.callID] = index
                index += 1
            }
        }
    }

    /// SO_RCVBUFFORCE (root) lifts the kernel's rmem_max cap; without it, SO_RCVBUF up to the cap.
    private static func forceReceiveBuffer(_ channel: any Channel, bytes: Int) {
        let force = ChannelOptions.Types.SocketOption(level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET), name: NIOBSDSocket.Option(rawValue: SO_RCVBUFFORCE))
        let forced: Void? = try? channel.setOption(force, value: bytes).wait()
        if forced == nil { _ = try? channel.setOption(.socketOption(.so_rcvbuf), value: bytes).wait() }
    }

    func close() async {
        for channel in mediaChannels { try? await channel.close() }
        try? await sipChannel?.close()
    }

    // MARK: Joining and leaving

    /// Sends the INVITEs at the plan's rate; media starts for each call as soon as it is answered.
    func startJoining() {
        loop.execute {
            self.startTicking()
            let interval = 1 / self.plan.joinsPerSecond
            for index in self.participants.indices {
                let delay = TimeAmount.nanoseconds(Int64(Double(index) * interval * 1e9))
                self.loop.scheduleTask(in: delay) { self.invite(self.participants[index]) }
            }
        }
    }

    func hangUpAll() {
        loop.execute {
            for participant in self.participants where participant.state == .answered {
                self.bye(participant)
            }
        }
    }

    private func invite(_ participant: LoadParticipant) {
        participant.state = .inviting
        participant.branch = Self.newBranch()
        participant.requestSentAt = monotonicSeconds()
        participant.retransmitInterval = 0.5
        participant.nextRetransmit = participant.requestSentAt + 0.5
        sendSIP(inviteText(participant))
    }

    private func bye(_ participant: LoadParticipant) {
        participant.state = .hangingUp
        participant.cseq += 1
        participant.branch = Self.newBranch()
        participant.requestSentAt = monotonicSeconds()
        participant.retransmitInterval = 0.5
        participant.nextRetransmit = participant.requestSentAt + 0.5
        sendSIP(inDialogText("BYE", participant))
    }

    /// Timer A/E: resends unanswered INVITEs (until a provisional) and BYEs, doubling up to 4 s,
    /// and gives up after 32 s.
    private func retransmit(now: Double) {
        for participant in participants where now >= participant.nextRetransmit {
            switch participant.state {
            case .inviting where !participant.gotProvisional:
                guard now - participant.requestSentAt < 32 else {
                    participant.state = .failed(408)
                    continue
                }
                sendSIP(inviteText(participant))
            case .hangingUp:
                guard now - participant.requestSentAt < 32 else {
                    participant.state = .ended
                    continue
                }
                sendSIP(inDialogText("BYE", participant))
            default:
                participant.nextRetransmit = .infinity
                continue
            }
            participant.retransmitInterval = min(participant.retransmitInterval * 2, 4)
            participant.nextRetransmit = now + participant.retransmitInterval
        }
    }

    fileprivate func received(sip bytes: ByteBuffer) {
        guard let message = try? SIPMessageParser.parse(bytes, framing: .datagram) else { return }
        switch message {
        case .response(let response):
            guard let index = byCallID[response.callID] else { return }
            handle(response, for: participants[index])
        case .request(let request):
            answer(request)
        }
    }

    private func handle(_ response: SIPResponse, for participant: LoadParticipant) {
        switch (response.cseq.method, participant.state) {
        case (.invite, .inviting) where response.isProvisional:
            participant.gotProvisional = true
        case (.invite, .inviting) where response.isSuccess:
            participant.toTag = response.to.tag
            participant.remoteTarget = Self.uri(inNameAddress: response.headers.values("Contact").first)
            participant.routeSet = response.headers.fieldValues("Record-Route").reversed()
            sendSIP(ackText(participant))
            guard accept(answer: response.body, for: participant) else {
                participant.state = .failed(488)
                return
            }
            participant.state = .answered
            participant.answeredAt = monotonicSeconds()
        case (.invite, .answered) where response.isSuccess:
            // Our ACK was lost: the 200 is resent.
            sendSIP(ackText(participant))
        case (.invite, .inviting):
            // A failure; its ACK belongs to the INVITE transaction (same branch).
            participant.toTag = response.to.tag
            sendSIP(ackText(participant, forFailure: true))
            participant.state = .failed(response.statusCode)
        case (.bye, .hangingUp) where !response.isProvisional:
            participant.state = .ended
        default:
            break
        }
    }

    /// Reads Chorus's SDP answer: where to send, and its SRTP key.
    private func accept(answer body: [UInt8], for participant: LoadParticipant) -> Bool {
        guard let sdp = try? SessionDescription(parsing: String(decoding: body, as: UTF8.self)),
            let media = sdp.media.first, media.port != 0,
            let address = media.connection?.address ?? sdp.connection?.address,
            let destination = try? SocketAddress(ipAddress: address, port: media.port)
        else { return false }
        if plan.srtp {
            guard let crypto = media.cryptos.first, let key = crypto.keyParameters.first?.decodedKeySalt,
                let inbound = try? SRTPSession(suite: .aesCM128HMACSHA1_80, keyingMaterial: key, direction: .inbound),
                let outbound = try? SRTPSession(suite: .aesCM128HMACSHA1_80, keyingMaterial: participant.localKey, direction: .outbound)
            else { return false }
            participant.inbound = inbound
            participant.outbound = outbound
        }
        participant.destination = destination
        byChorusPort[media.port] = Int32(participant.index)
        return true
    }

    /// Requests from Chorus: BYE (it hung up: shutdown, kick, inactivity) and anything else get 200.
    private func answer(_ request: SIPRequest) {
        if request.method == .bye, let index = byCallID[request.callID] {
            participants[index].state = .ended
        }
        guard request.method != .ack else { return }
        let response = SIPResponse(
            statusCode: 200, via: request.via, from: request.from, to: request.to, callID: request.callID, cseq: request.cseq)
        sipChannel.map { channel in
            var buffer = channel.allocator.buffer(capacity: 512)
            response.write(into: &buffer)
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: plan.server, data: buffer), promise: nil)
        }
    }

    private func sendSIP(_ text: String) {
        guard let channel = sipChannel else { return }
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: plan.server, data: channel.allocator.buffer(string: text)), promise: nil)
    }

    // MARK: SIP text

    private var serverHostPort: String { "\(plan.server.ipAddress ?? "127.0.0.1"):\(plan.server.port ?? 5060)" }

    private func headers(_ participant: LoadParticipant, method: String, cseq: UInt32, withToTag: Bool) -> String {
        "Via: SIP/2.0/UDP \(plan.localHost):\(sipPort);branch=\(participant.branch);rport\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:\(participant.user)@\(plan.localHost)>;tag=\(participant.fromTag)\r\n"
            + "To: <sip:\(participant.roomID)@\(serverHostPort)>\(withToTag ? participant.toTag.map { ";tag=\($0)" } ?? "" : "")\r\n"
            + "Call-ID: \(participant.callID)\r\n"
            + "CSeq: \(cseq) \(method)\r\n"
            + "User-Agent: chorus-load\r\n"
    }

    private func inviteText(_ participant: LoadParticipant) -> String {
        let sdp = offer(participant)
        return "INVITE sip:\(participant.roomID)@\(serverHostPort) SIP/2.0\r\n"
            + headers(participant, method: "INVITE", cseq: 1, withToTag: false)
            + "Contact: <sip:\(participant.user)@\(plan.localHost):\(sipPort)>\r\n"
            + "Content-Type: application/sdp\r\nContent-Length: \(sdp.utf8.count)\r\n\r\n" + sdp
    }

    private func ackText(_ participant: LoadParticipant, forFailure: Bool = false) -> String {
        // A 2xx ACK is a request of its own, to the remote target, on a new branch.
        let target = forFailure ? "sip:\(participant.roomID)@\(serverHostPort)" : (participant.remoteTarget ?? "sip:\(participant.roomID)@\(serverHostPort)")
        let branch = participant.branch
        if !forFailure { participant.branch = Self.newBranch() }
        defer { participant.branch = branch }
        return "ACK \(target) SIP/2.0\r\n" + headers(participant, method: "ACK", cseq: 1, withToTag: true)
            + routeHeaders(participant, forFailure: forFailure) + "Content-Length: 0\r\n\r\n"
    }

    private func inDialogText(_ method: String, _ participant: LoadParticipant) -> String {
        let target = participant.remoteTarget ?? "sip:\(participant.roomID)@\(serverHostPort)"
        return "\(method) \(target) SIP/2.0\r\n" + headers(participant, method: method, cseq: participant.cseq, withToTag: true)
            + routeHeaders(participant, forFailure: false) + "Content-Length: 0\r\n\r\n"
    }

    private func routeHeaders(_ participant: LoadParticipant, forFailure: Bool) -> String {
        guard !forFailure else { return "" }
        return participant.routeSet.map { "Route: \($0)\r\n" }.joined()
    }

    private func offer(_ participant: LoadParticipant) -> String {
        let port = mediaPorts[participant.socket]
        var lines = [
            "v=0", "o=load \(participant.index) 1 IN IP4 \(plan.localHost)", "s=chorus-load", "c=IN IP4 \(plan.localHost)", "t=0 0",
            "m=audio \(port) \(plan.srtp ? "RTP/SAVP" : "RTP/AVP") 111",
            "a=rtpmap:111 opus/48000/2",
            "a=fmtp:111 useinbandfec=1\(plan.listenersUseDTX ? ";usedtx=1" : "")",
        ]
        if plan.audioLevels { lines.append("a=extmap:1 \(SDPExtensionMap.clientToMixerAudioLevelURI)") }
        lines += ["a=ptime:20", "a=rtcp-mux"]
        if plan.srtp {
            lines.append("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\(Base64.encode(participant.localKey))")
        }
        lines.append("a=sendrecv")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private static func newBranch() -> String { "z9hG4bK" + String(UInt64.random(in: 0...UInt64.max), radix: 36) }

    /// The URI inside `<...>` of a Contact value.
    private static func uri(inNameAddress value: String?) -> String? {
        guard let value else { return nil }
        guard let open = value.firstIndex(of: "<"), let close = value.firstIndex(of: ">"), open < close else {
            return value.split(separator: ";").first.map(String.init)
        }
        return String(value[value.index(after: open)..<close])
    }

    // MARK: Media

    private func startTicking() {
        guard !ticking else { return }
        ticking = true
        tickStart = .now()
        scheduleTick()
    }

    func stopTicking() {
        loop.execute { self.ticking = false }
    }

    /// Sub-ticks per 20 ms: participant *i* sends at (i mod phases) × 20 ms / phases into every
    /// 20 ms, as phones' sound cards, started at random moments, spread their packets over the
    /// period, rather than all at once.
    static let phases = 10

    /// How late each sub-tick of the window ran after its due time, in 0.1 ms buckets: jitter the
    /// generator itself adds to what Chorus receives (it should be small, or the machine is too busy).
    private(set) var sendLateness = Histogram(bucketWidth: 0.1, buckets: 10_000)

    private func scheduleTick() {
        tickIndex += 1
        let due = tickStart + .microseconds(Int64(20_000 / Self.phases * tickIndex))
        loop.scheduleTask(deadline: due) {
            guard self.ticking else { return }
            if self.windowOpen { self.sendLateness.record(Double((NIODeadline.now() - due).nanoseconds) / 1e6) }
            self.tick(phase: self.tickIndex % Self.phases)
            self.scheduleTick()
        }
    }

    /// One sub-tick: the packet of every answered participant of this phase, one flush per socket.
    private func tick(phase: Int) {
        let now = monotonicSeconds()
        if phase == 0 { retransmit(now: now) }
        for index in sendBuffers.indices { sendBuffers[index].clear() }
        pending.removeAll(keepingCapacity: true)
        for participant in participants where participant.state == .answered && participant.index % Self.phases == phase {
            guard let destination = participant.destination, let frame = nextFrame(for: participant, now: now) else { continue }
            writePacket(frame, for: participant, to: destination, into: &sendBuffers[participant.socket])
        }
        for packet in pending {
            guard let slice = sendBuffers[packet.socket].getSlice(at: packet.start, length: packet.length) else { continue }
            mediaChannels[packet.socket].write(AddressedEnvelope(remoteAddress: packet.destination, data: slice), promise: nil)
        }
        for channel in mediaChannels { channel.flush() }
    }

    /// What the participant sends this tick, or nil (a DTX pause).
    private func nextFrame(for participant: LoadParticipant, now: Double) -> EncodedFrame? {
        defer {
            participant.sentFrames += 1
            participant.timestamp &+= 960
        }
        let position = participant.sentFrames % LoadAudio.loopFrames
        if let talker = participant.talker {
            // Talker 0 of room 0 talks in bursts, to time the delay.
            if participant.room == 0 && talker == 0 {
                let phase = participant.sentFrames % Self.probeCycleTicks
                if phase == 0 { probeBurstStartedAt = now }
                if phase >= Self.probeBurstTicks { return audio.noise[position] }
            }
            return audio.tones[talker][position]
        }
        if plan.listenersUseDTX {
            // Opus DTX: one frame every 400 ms, staggered so the packets do not all come at once.
            return (participant.sentFrames + participant.index) % 20 == 0 ? audio.noise[position] : nil
        }
        return audio.noise[position]
    }

    private func writePacket(_ frame: EncodedFrame, for participant: LoadParticipant, to destination: SocketAddress, into buffer: inout ByteBuffer) {
        let header = RTPHeader(payloadType: 111, sequenceNumber: participant.sequence, timestamp: participant.timestamp, ssrc: participant.ssrc)
        participant.sequence &+= 1
        let element = plan.audioLevels ? RTPOneByteExtensionElement.audioLevel(id: 1, RTPAudioLevel(voiceActivity: participant.isTalker, level: frame.level)) : nil
        let capacity = RTPWriter.headerLength(csrcCount: 0, extension: element) + frame.payload.count + SRTPSession.maxTrailerLength
        let start = buffer.writerIndex
        buffer.reserveCapacity(minimumWritableBytes: capacity)
        let length: Int? = buffer.withUnsafeMutableWritableBytes { out in
            frame.payload.withUnsafeBytes { payload in
                guard let length = try? RTPWriter.writePacket(header, extension: element, payload: payload, into: out) else { return nil }
                guard let outbound = participant.outbound else { return length }
                return try? outbound.protect(rtp: out, length: length)
            }
        }
        guard let length else { return }
        buffer.moveWriterIndex(forwardBy: length)
        pending.append((participant.socket, start, length, destination))
    }

    fileprivate func received(media envelope: AddressedEnvelope<ByteBuffer>) {
        guard let port = envelope.remoteAddress.port, port < byChorusPort.count else { return }
        let index = Int(byChorusPort[port])
        guard index >= 0 else { return }
        let participant = participants[index]
        var bytes = envelope.data
        guard bytes.readableBytes >= 12, let second = bytes.getInteger(at: bytes.readerIndex + 1, as: UInt8.self),
            !(192...223).contains(second)  // RTCP (rtcp-mux)
        else { return }
        let now = monotonicSeconds()
        guard let sequence = bytes.getInteger(at: bytes.readerIndex + 2, as: UInt16.self) else { return }
        if let interval = participant.count(sequence: sequence, at: now, inWindow: windowOpen) {
            interArrival.record(interval)
        }
        guard let decoder = participant.decoder else { return }
        bytes.withUnsafeMutableReadableBytes { raw in
            var length = raw.count
            if let inbound = participant.inbound {
                guard let plain = try? inbound.unprotect(srtp: raw, length: raw.count) else { return }
                length = plain
            }
            guard let view = try? RTPPacketView(bytes: UnsafeRawBufferPointer(rebasing: raw[0..<length])), view.payloadType == 111 else { return }
            guard let samples = pcm.withUnsafeMutableBufferPointer({ try? decoder.decode(packet: view.payload, into: $0) }) else { return }
            if participant.index == firstSampledListener {
                timeProbe(pcm.prefix(samples), at: now)
            }
            if windowOpen && participant.recording.count + samples <= LoadParticipant.recordingLimit {
                participant.recording += pcm.prefix(samples)
            }
        }
    }

    private lazy var firstSampledListener: Int = participants.first { $0.room == 0 && !$0.isTalker && $0.isSampled }?.index ?? -1

    /// The delay probe: the first packet that carries talker 0's tone after a quiet spell. A
    /// threshold well below the full tone catches a frame the burst's first milliseconds reach.
    private func timeProbe(_ frame: ArraySlice<Int16>, at now: Double) {
        let level = ToneLevel.frameLevel(LoadAudio.talkerFrequency(0), frame)
        if level < -40 {
            probeQuietFrames += 1
        } else if level > -25 {
            if probeQuietFrames >= 5, let started = probeBurstStartedAt, windowOpen {
                probeDelays.append((now - started) * 1000)
            }
            probeQuietFrames = 0
        }
    }

    // MARK: Measurement window

    func openWindow() async throws {
        try await loop.submit {
            for participant in self.participants {
                participant.received = 0
                participant.windowFirstSequence = nil
                participant.recording.removeAll(keepingCapacity: true)
            }
            self.interArrival = Histogram(bucketWidth: 0.1, buckets: 10_000)
            self.sendLateness = Histogram(bucketWidth: 0.1, buckets: 10_000)
            self.probeDelays.removeAll()
            self.windowOpen = true
            self.windowStartedAt = monotonicSeconds()
        }.get()
    }

    func closeWindow() async throws {
        try await loop.submit {
            self.windowOpen = false
            self.windowEndedAt = monotonicSeconds()
        }.get()
    }

    /// Runs `body` on the generator's loop.
    func inspect<T: Sendable>(_ body: @escaping @Sendable (LoadGenerator) -> T) async throws -> T {
        try await loop.submit { body(self) }.get()
    }
}

/// A histogram of milliseconds for percentiles without keeping every sample.
struct Histogram {
    let bucketWidth: Double
    private var counts: [Int]
    private(set) var total = 0
    private(set) var maximum = 0.0

    init(bucketWidth: Double, buckets: Int) {
        self.bucketWidth = bucketWidth
        self.counts = [Int](repeating: 0, count: buckets)
    }

    mutating func record(_ value: Double) {
        let index = min(counts.count - 1, max(0, Int(value / bucketWidth)))
        counts[index] += 1
        total += 1
        maximum = max(maximum, value)
    }

    /// The upper edge of the bucket holding the percentile (0–100).
    func percentile(_ percentile: Double) -> Double {
        guard total > 0 else { return 0 }
        let target = max(1, Int((percentile / 100 * Double(total)).rounded(.up)))
        var seen = 0
        for (index, count) in counts.enumerated() {
            seen += count
            if seen >= target { return Double(index + 1) * bucketWidth }
        }
        return Double(counts.count) * bucketWidth
    }
}

private final class SIPReceiver: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    unowned let generator: LoadGenerator
    init(generator: LoadGenerator) { self.generator = generator }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        generator.received(sip: unwrapInboundIn(data).data)
    }
}

private final class MediaReceiver: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    unowned let generator: LoadGenerator
    init(generator: LoadGenerator) { self.generator = generator }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        generator.received(media: unwrapInboundIn(data))
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}

