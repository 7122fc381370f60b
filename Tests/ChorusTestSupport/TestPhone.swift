import ChorusCodecs
import ChorusRTP
import ChorusSIP
import Foundation
import NIOCore
import NIOPosix
import XCTest

/// A scripted SIP phone for integration tests: it dials a room over UDP on loopback, sends a sine
/// tone as real Opus or G.711 RTP (SDES-SRTP if asked) every 20 ms, and records what it hears,
/// decoded, so tests can check by spectrum who hears whom. Its SIP and SDP are written by hand
/// here, independent of Chorus's own SDP code. Every wait is bounded.
public final class TestPhone: @unchecked Sendable {
    public enum Codec: String, Sendable {
        case opus, pcmu, pcma
        var payloadType: UInt8 { self == .opus ? 111 : (self == .pcmu ? 0 : 8) }
        /// Sample rate of what the phone sends and records.
        public var sampleRate: Int { self == .opus ? 48_000 : 8_000 }
    }

    public struct Options: Sendable {
        public var codec: Codec = .opus
        public var srtp = false
        public var tone: Double = 440
        public var amplitude = 0.25
        public var rtcpMux = true
        /// INVITE without SDP: Chorus offers in the 200 OK and the phone answers in the ACK (Opus, plain RTP).
        public var lateOffer = false
        /// The From user, and the password to answer a 401 to the INVITE with (MD5 digest).
        public var user = "phone"
        public var password: String?
        /// Packets sent per 20 ms (each a new frame): 1 is a normal phone, 10 one that floods at ten times the rate.
        public var packetsPerTick = 1
        /// How SIP travels: UDP, or TLS (the phone then dials `sips:` and its Contact says `transport=tls`).
        public var signalling: RawSIPClient.Kind = .udp
        public init(codec: Codec = .opus, srtp: Bool = false, tone: Double = 440, lateOffer: Bool = false, user: String = "phone", password: String? = nil) {
            self.codec = codec
            self.srtp = srtp
            self.tone = tone
            self.lateOffer = lateOffer
            self.user = user
            self.password = password
        }
    }

    public struct CallFailed: Error, CustomStringConvertible {
        public let statusCode: Int
        public let reason: String
        public let warning: String?
        public var description: String { "call failed: \(statusCode) \(reason) \(warning ?? "")" }
    }

    public private(set) var options: Options
    public let sip: RawSIPClient
    let media: any Channel
    let room: String
    public private(set) var callID = "phone-\(UInt64.random(in: 0...UInt64.max))"
    let fromTag = "t\(UInt32.random(in: 0...UInt32.max))"
    var toTag = ""
    var cseq: UInt32 = 1
    var contactURI = ""
    /// The SDP answer Chorus sent.
    public private(set) var answer = ""
    private let localKey: [UInt8] = (0..<30).map { _ in UInt8.random(in: 0...255) }

    // Media state: touched on the media channel's loop only.
    private var remote: SocketAddress?
    private var outbound: SRTPSession?
    private var inbound: SRTPSession?
    private var sendTask: RepeatedTask?
    private var sequence = UInt16.random(in: 0...UInt16.max)
    private var timestamp = UInt32.random(in: 0...UInt32.max)
    private let ssrc = UInt32.random(in: 0...UInt32.max)
    private var phase = 0
    private var recorded: [Int16] = []
    private var opusEncoder: OpusEncoder?
    private var opusDecoder: OpusDecoder?
    private var g711: G711Codec?
    private var receivedPayloadType: UInt8 = 255

    private init(options: Options, sip: RawSIPClient, media: any Channel, room: String) {
        self.options = options
        self.sip = sip
        self.media = media
        self.room = room
    }

    /// Dials `room` on `server` and completes the INVITE/200/ACK exchange. Throws ``CallFailed``
    /// on a final non-2xx answer.
    public static func dial(room: String, server: SocketAddress, options: Options = Options()) async throws -> TestPhone {
        let phone = try await waiting(server: server, room: room, options: options)
        do {
            try await phone.invite()
        } catch {
            await phone.close()
            throw error
        }
        return phone
    }

    /// A phone with its sockets open that has not dialed: it can be called (``answerCall(timeout:)``).
    /// Its SIP port is ``sipPort``.
    public static func waiting(server: SocketAddress, room: String = "", options: Options = Options()) async throws -> TestPhone {
        let sip = try await RawSIPClient.connect(options.signalling, to: server)
        let holder = MediaHandler()
        let media = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { $0.pipeline.addHandler(holder) }
            .bind(host: "127.0.0.1", port: 0).get()
        let phone = TestPhone(options: options, sip: sip, media: media, room: room)
        holder.phone = phone
        return phone
    }

    public var sipPort: Int { sip.localPort }

    /// The last INVITE Chorus sent this phone (a call or a re-INVITE), as text.
    public private(set) var lastInvite = ""

    /// Answers the next INVITE from Chorus 200 with an SDP answer to its offer (Opus) and starts
    /// the media toward it: a call Chorus makes (dial-out), or a re-INVITE that moves the call.
    /// Other requests on the way are answered 200 and kept in ``requestsSeen``. Returns false
    /// when no INVITE came.
    public func answerCall(timeout: Duration = .seconds(5)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let text = await sip.nextRequest(timeout: deadline - ContinuousClock.now) else { return false }
            guard text.hasPrefix("INVITE ") else {
                requestsSeen.append(text)
                if !text.hasPrefix("ACK ") { try await sip.respond(to: text, status: "200 OK", toTag: fromTag) }
                continue
            }
            lastInvite = text
            guard case .request(let request) = try SIPMessageParser.parse(Array(text.utf8), framing: .datagram) else { return false }
            if toTag.isEmpty {
                // Called by Chorus: the phone is the UAS, so the dialog's tags come the other way.
                toTag = request.from.tag ?? ""
                callID = request.callID
            }
            if let contact = request.contactURI { contactURI = "\(contact)" }
            let offer = String(decoding: request.body, as: UTF8.self)
            let answer = answer(to: offer)
            try await sip.respond(
                to: text, status: "200 OK", toTag: fromTag,
                headers: ["Contact: <sip:\(options.user)@127.0.0.1:\(sip.localPort)>", "Content-Type: application/sdp"], body: answer)
            self.answer = offer
            try await configureMedia(answer: offer)
            return true
        }
        return false
    }

    /// Requests from Chorus that ``answerCall(timeout:)`` and ``nextRequest(timeout:)`` passed by.
    public private(set) var requestsSeen: [String] = []

    /// The next request from Chorus (answered 200 unless it is an ACK), parsed, with its text.
    public func nextRequest(_ method: String? = nil, status: String = "200 OK", timeout: Duration = .seconds(5)) async throws -> (SIPRequest, String)? {
        guard let text = await sip.nextRequest(method, timeout: timeout),
            case .request(let request) = try SIPMessageParser.parse(Array(text.utf8), framing: .datagram)
        else { return nil }
        requestsSeen.append(text)
        if request.method != .ack { try await sip.respond(to: text, status: status, toTag: fromTag) }
        return (request, text)
    }

    /// Sends a request inside the call with `headers` and returns the final response.
    public func requestInDialog(_ method: String, headers: [String], body: String = "", contentType: String = "text/plain") async throws -> SIPResponse {
        cseq += 1
        let sequence = cseq
        try await sip.send(request(method, body: body, contentType: contentType, extraHeaders: headers))
        var response = try await sip.response(timeout: .seconds(5))
        while response.cseq.sequence != sequence { response = try await sip.response(timeout: .seconds(5)) }
        return response
    }

    /// ``requestInDialog(_:headers:body:contentType:)`` that answers a `401` once with digest
    /// credentials (MD5), as a participant proving an identity inside its call does.
    public func requestInDialog(_ method: String, headers: [String], username: String, password: String) async throws -> SIPResponse {
        let first = try await requestInDialog(method, headers: headers)
        guard first.statusCode == 401,
            let challenge = first.headers.fieldValues("WWW-Authenticate").compactMap({ try? SIPDigestChallenge(parsing: $0) })
                .first(where: { $0.effectiveAlgorithm == .md5 })
        else { return first }
        let credentials = try SIPDigestCredentials(
            answering: challenge, method: SIPMethod(method), uri: contactURI, username: username, password: password)
        return try await requestInDialog(method, headers: headers + ["Authorization: \(credentials.serialized)"])
    }

    var mediaPort: Int { media.localAddress?.port ?? 0 }

    func offer(direction: String = "sendrecv") -> String {
        let proto = options.srtp ? "RTP/SAVP" : "RTP/AVP"
        var lines = [
            "v=0", "o=phone 1 \(cseq) IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
            "m=audio \(mediaPort) \(proto) \(options.codec.payloadType) 101",
        ]
        switch options.codec {
        case .opus: lines += ["a=rtpmap:111 opus/48000/2", "a=fmtp:111 useinbandfec=1"]
        case .pcmu: lines += ["a=rtpmap:0 PCMU/8000"]
        case .pcma: lines += ["a=rtpmap:8 PCMA/8000"]
        }
        lines += ["a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=ptime:20", "a=\(direction)"]
        if options.rtcpMux { lines.append("a=rtcp-mux") }
        if options.srtp { lines.append("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\(Data(localKey).base64EncodedString())") }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    func request(
        _ method: String, body: String = "", contentType: String = "application/sdp", extraHeaders: [String] = [], branch: String? = nil
    ) -> String {
        let uri = method == "INVITE" && toTag.isEmpty ? requestURI : contactURI
        var lines = [
            "\(method) \(uri) SIP/2.0",
            "Via: SIP/2.0/\(viaTransport) 127.0.0.1:\(sip.localPort);branch=\(branch ?? "z9hG4bK\(UInt64.random(in: 0...UInt64.max))");rport",
            "Max-Forwards: 70",
            "From: <sip:\(options.user)@127.0.0.1>;tag=\(fromTag)",
            "To: <sip:\(room)@127.0.0.1>" + (toTag.isEmpty ? "" : ";tag=\(toTag)"),
            "Call-ID: \(callID)",
            "CSeq: \(cseq) \(method)",
            "Contact: <\(isTLS ? "sips" : "sip"):phone@127.0.0.1:\(sip.localPort)\(isTLS ? ";transport=tls" : "")>",
        ] + extraHeaders
        if !body.isEmpty { lines.append("Content-Type: \(contentType)") }
        lines.append("Content-Length: \(body.utf8.count)")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    private var isTLS: Bool { if case .tls = options.signalling { true } else { false } }
    private var viaTransport: String {
        switch options.signalling {
        case .udp: "UDP"
        case .tcp: "TCP"
        case .tls: "TLS"
        }
    }
    /// `sip:ROOM@server:port`, or `sips:` over TLS.
    private var requestURI: String {
        "\(isTLS ? "sips" : "sip"):\(room)@\(sip.server.ipAddress ?? "127.0.0.1"):\(sip.server.port ?? 5060)"
    }

    /// The phone's answer to Chorus's offer (late offer): Opus at the payload type Chorus offered.
    func answer(to offer: String) -> String {
        let opusLine = offer.split(whereSeparator: \.isNewline).first { $0.lowercased().contains("opus/48000") } ?? ""
        let payloadType = opusLine.split(separator: ":").dropFirst().first?.split(separator: " ").first.map(String.init) ?? "111"
        return [
            "v=0", "o=phone 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
            "m=audio \(mediaPort) RTP/AVP \(payloadType)", "a=rtpmap:\(payloadType) opus/48000/2", "a=rtcp-mux", "a=sendrecv",
        ].joined(separator: "\r\n") + "\r\n"
    }

    private func invite() async throws {
        var branch = "z9hG4bK\(UInt64.random(in: 0...UInt64.max))"
        try await sip.send(request("INVITE", body: options.lateOffer ? "" : offer(), branch: branch))
        var response = try await sip.response(timeout: .seconds(5))
        if response.statusCode == 401, let password = options.password,
            let challenge = response.headers.fieldValues("WWW-Authenticate").compactMap({ try? SIPDigestChallenge(parsing: $0) })
                .first(where: { $0.effectiveAlgorithm == .md5 })
        {
            // ACK the 401 in its transaction (same branch), then INVITE again with credentials.
            let ackTo = "To: <sip:\(room)@127.0.0.1>;tag=\(response.to.tag ?? "")"
            try await sip.send(request("ACK", branch: branch).replacingOccurrences(of: "To: <sip:\(room)@127.0.0.1>", with: ackTo))
            let uri = requestURI
            let credentials = try SIPDigestCredentials(
                answering: challenge, method: .invite, uri: uri, username: options.user, password: password)
            cseq += 1
            branch = "z9hG4bK\(UInt64.random(in: 0...UInt64.max))"
            try await sip.send(
                request("INVITE", body: options.lateOffer ? "" : offer(), extraHeaders: ["Authorization: \(credentials.serialized)"], branch: branch))
            response = try await sip.response(timeout: .seconds(5))
        }
        guard response.statusCode == 200 else {
            throw CallFailed(statusCode: response.statusCode, reason: response.reasonPhrase, warning: response.headers.values("Warning").first)
        }
        toTag = response.to.tag ?? ""
        contactHeader = response.headers.values("Contact").first ?? ""
        contactURI = response.headers.values("Contact").first.map { value in
            let start = value.firstIndex(of: "<").map { value.index(after: $0) } ?? value.startIndex
            let end = value.firstIndex(of: ">") ?? value.endIndex
            return String(value[start..<end])
        } ?? ""
        answer = String(decoding: response.body, as: UTF8.self)
        if options.lateOffer {
            try await sip.send(request("ACK", body: answer(to: answer)))
        } else {
            try await sip.send(request("ACK"))
        }
        try await configureMedia(answer: answer)
    }

    /// The Contact header of the 200 OK (tests check `isfocus`).
    public private(set) var contactHeader = ""

    private func configureMedia(answer: String) async throws {
        let lines = answer.split(whereSeparator: \.isNewline).map(String.init)
        let address = lines.first { $0.hasPrefix("c=IN IP") }.map { String($0.split(separator: " ").last ?? "") } ?? "127.0.0.1"
        let mLine = lines.first { $0.hasPrefix("m=audio ") }?.split(separator: " ") ?? []
        let port = mLine.count > 3 ? Int(mLine[1]) ?? 0 : 0
        let payloadType = mLine.count > 3 ? UInt8(mLine[3]) ?? 255 : 255
        let crypto = lines.first { $0.hasPrefix("a=crypto:") }
        let remoteKey = crypto.flatMap { line -> [UInt8]? in
            guard let range = line.range(of: "inline:") else { return nil }
            let key = line[range.upperBound...].split(separator: "|").first.map(String.init) ?? ""
            return Data(base64Encoded: key).map { [UInt8]($0) }
        }
        let remote = try SocketAddress(ipAddress: address, port: port)
        let codec = options.codec
        let srtp = options.srtp
        let localKey = self.localKey
        try await media.eventLoop.submit {
            self.remote = remote
            self.receivedPayloadType = payloadType
            if srtp, let remoteKey {
                self.outbound = try SRTPSession(suite: .aesCM128HMACSHA1_80, keyingMaterial: localKey, direction: .outbound)
                self.inbound = try SRTPSession(suite: .aesCM128HMACSHA1_80, keyingMaterial: remoteKey, direction: .inbound)
            }
            switch codec {
            case .opus:
                self.opusEncoder = try OpusEncoder(configuration: OpusEncoderConfiguration(bitrate: 32_000))
                self.opusDecoder = try OpusDecoder(sampleRate: 48_000, channels: 1)
            case .pcmu: self.g711 = G711Codec(law: .muLaw)
            case .pcma: self.g711 = G711Codec(law: .aLaw)
            }
        }.get()
    }

    /// Starts sending the tone, one 20 ms packet per 20 ms.
    public func startSending() {
        media.eventLoop.execute {
            guard self.sendTask == nil else { return }
            self.sendTask = self.media.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(20)) { _ in
                self.sendFrame()
            }
        }
    }

    public func stopSending() async {
        try? await media.eventLoop.submit {
            self.sendTask?.cancel()
            self.sendTask = nil
        }.get()
    }

    private func sendFrame() {
        guard let remote else { return }
        let rate = Double(options.codec.sampleRate)
        let samples = options.codec.sampleRate / 50
        let pcm = (0..<samples).map { index in
            Int16(options.amplitude * 32767 * sin(2 * Double.pi * options.tone * Double(phase + index) / rate))
        }
        phase += samples
        var payload: [UInt8]
        if let opusEncoder {
            guard let encoded = try? opusEncoder.encode(pcm) else { return }
            payload = encoded
        } else if let g711 {
            payload = g711.encode(pcm)
        } else {
            return
        }
        // A flooding phone sends the frame's payload again in further packets, each a new frame.
        for _ in 0..<max(1, options.packetsPerTick) {
            var packet = RTPPacket(
                header: RTPHeader(payloadType: options.codec.payloadType, sequenceNumber: sequence, timestamp: timestamp, ssrc: ssrc),
                payload: payload
            ).serialized()
            sequence &+= 1
            timestamp &+= UInt32(samples)
            if let outbound { try? outbound.protect(rtp: &packet) }
            media.write(AddressedEnvelope(remoteAddress: remote, data: media.allocator.buffer(bytes: packet)), promise: nil)
        }
        media.flush()
    }

    /// Where the phone sends its media (Chorus's port for it), once the call is up.
    public func mediaDestination() async throws -> SocketAddress? {
        try await media.eventLoop.submit { self.remote }.get()
    }

    /// Sends its media somewhere else from now on: to another participant's port, as a stranger would.
    public func redirectMedia(to destination: SocketAddress) async throws {
        try await media.eventLoop.submit { self.remote = destination }.get()
    }

    /// Sends raw bytes to Chorus's media port (for bad-input tests).
    public func sendRawMedia(_ bytes: [UInt8]) async throws {
        let remote: SocketAddress? = try await media.eventLoop.submit { self.remote }.get()
        guard let remote else { return }
        try await media.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: media.allocator.buffer(bytes: bytes)))
    }

    fileprivate func received(_ datagram: ByteBuffer) {
        var bytes = Array(datagram.readableBytesView)
        guard bytes.count >= 12 else { return }
        // RTCP (multiplexed): packet types 200...206 in the second byte.
        if (200...206).contains(bytes[1]) { return }
        if let inbound {
            guard (try? inbound.unprotect(srtp: &bytes)) != nil else { return }
        }
        guard let (payloadType, payload) = bytes.withUnsafeBytes({ raw -> (UInt8, [UInt8])? in
            guard let view = try? RTPPacketView(bytes: raw) else { return nil }
            return (view.payloadType, Array(view.payload))
        }) else { return }
        guard payloadType == receivedPayloadType else { return }
        if let opusDecoder {
            if let pcm = try? opusDecoder.decode(payload) { recorded += pcm }
        } else if let g711 {
            recorded += g711.decode(payload)
        }
    }

    /// What the phone heard so far (at ``Codec/sampleRate``).
    public func recording() async -> [Int16] {
        (try? await media.eventLoop.submit { self.recorded }.get()) ?? []
    }

    public func clearRecording() async {
        try? await media.eventLoop.submit { self.recorded.removeAll() }.get()
    }

    /// Records for `duration` from now and returns just that audio.
    public func listen(for duration: Duration) async throws -> [Int16] {
        await clearRecording()
        try await Task.sleep(for: duration)
        return await recording()
    }

    /// Sends a re-INVITE with the same offer in `direction`; returns the final response.
    public func reInvite(direction: String) async throws -> Int {
        cseq += 1
        try await sip.send(request("INVITE", body: offer(direction: direction)))
        let response = try await sip.response(timeout: .seconds(5))
        if response.statusCode == 200 { try await sip.send(request("ACK")) }
        return response.statusCode
    }

    /// Re-INVITEs offering only `codec`; on 200 the phone sends and decodes that codec from then on
    /// (the recording restarts, at the new codec's rate).
    public func switchCodec(to codec: Codec) async throws -> Int {
        await stopSending()
        options.codec = codec
        cseq += 1
        try await sip.send(request("INVITE", body: offer()))
        let response = try await sip.response(timeout: .seconds(5))
        guard response.statusCode == 200 else { return response.statusCode }
        try await sip.send(request("ACK"))
        answer = String(decoding: response.body, as: UTF8.self)
        try await media.eventLoop.submit {
            self.opusEncoder = nil
            self.opusDecoder = nil
            self.g711 = nil
            self.phase = 0
            self.recorded.removeAll()
        }.get()
        try await configureMedia(answer: answer)
        startSending()
        return 200
    }

    /// The reason phrase of the last answer to ``sendInDialog(_:body:contentType:)``.
    public private(set) var lastReason = ""

    /// Sends a request inside the call (MESSAGE, INFO, ...) and returns the status of the answer.
    public func sendInDialog(_ method: String, body: String, contentType: String) async throws -> Int {
        cseq += 1
        try await sip.send(request(method, body: body, contentType: contentType))
        var response = try await sip.response(timeout: .seconds(5))
        while response.cseq.sequence != cseq { response = try await sip.response(timeout: .seconds(5)) }
        lastReason = response.reasonPhrase
        return response.statusCode
    }

    /// Waits for an in-dialog request from Chorus (e.g. a command's reply MESSAGE), answers it 200
    /// and returns its body.
    public func awaitMessage(timeout: Duration = .seconds(5)) async throws -> String? {
        guard let text = try await sip.answerNextRequest("MESSAGE", timeout: timeout) else { return nil }
        return text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
    }

    /// Keys digits as RFC 4733 telephone-events (payload type 101, 8 kHz clock): per digit three
    /// packets, the last with the end bit sent three times, then a 100 ms pause.
    public func sendDigits(_ digits: String) async throws {
        for digit in digits {
            let event: UInt8 = switch digit {
            case "*": 10
            case "#": 11
            default: UInt8(digit.wholeNumberValue ?? 0)
            }
            let start: UInt32 = try await media.eventLoop.submit {
                self.timestamp &+= 960
                return self.timestamp
            }.get()
            for step in 0..<6 {
                let end = step >= 3
                let duration = UInt16(min(step + 1, 4) * 160)
                let payload: [UInt8] = [event, (end ? 0x80 : 0) | 10, UInt8(duration >> 8), UInt8(duration & 0xFF)]
                try await media.eventLoop.submit {
                    guard let remote = self.remote else { return }
                    var packet = RTPPacket(
                        header: RTPHeader(marker: step == 0, payloadType: 101, sequenceNumber: self.sequence, timestamp: start, ssrc: self.ssrc),
                        payload: payload
                    ).serialized()
                    self.sequence &+= 1
                    if let outbound = self.outbound { try? outbound.protect(rtp: &packet) }
                    self.media.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: self.media.allocator.buffer(bytes: packet)), promise: nil)
                }.get()
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Sends BYE and returns the status of the answer.
    @discardableResult
    public func hangUp() async throws -> Int {
        await stopSending()
        cseq += 1
        try await sip.send(request("BYE"))
        return try await sip.response(timeout: .seconds(5)).statusCode
    }

    /// Waits for a request from Chorus (e.g. its BYE) and answers it 200.
    public func awaitRequest(_ method: String, timeout: Duration) async throws -> Bool {
        guard try await sip.answerNextRequest(method, timeout: timeout) != nil else { throw RawSIPClient.TimeoutError() }
        return true
    }

    public func close() async {
        await stopSending()
        try? await media.close()
        await sip.close()
    }
}

private final class MediaHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    weak var phone: TestPhone?
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        phone?.received(unwrapInboundIn(data).data)
    }
}

extension TestPhone {
    /// Dials `count` Opus phones into `room`, the i-th sending ``ConferenceAudioCheck/tones``[i];
    /// `configure` may change each one's options (signalling, SRTP...).
    public static func dialTalkers(
        _ count: Int, room: String = "4200", server: SocketAddress, configure: (Int, inout Options) -> Void = { _, _ in }
    ) async throws -> [TestPhone] {
        var phones: [TestPhone] = []
        for index in 0..<count {
            var options = Options(codec: .opus, tone: ConferenceAudioCheck.tones[index])
            configure(index, &options)
            phones.append(try await dial(room: room, server: server, options: options))
        }
        return phones
    }

    /// Dials expecting a final refusal and returns it; an answered call fails the test (and is hung up).
    public static func refusal(
        room: String, server: SocketAddress, options: Options = Options(), file: StaticString = #filePath, line: UInt = #line
    ) async throws -> CallFailed? {
        do {
            let phone = try await dial(room: room, server: server, options: options)
            XCTFail("the call into \(room) was answered", file: file, line: line)
            _ = try? await phone.hangUp()
            await phone.close()
            return nil
        } catch let failure as CallFailed {
            return failure
        }
    }

    /// Hangs every phone up (BYE) and closes it.
    public static func hangUpAll(_ phones: [TestPhone]) async {
        for phone in phones {
            _ = try? await phone.hangUp()
            await phone.close()
        }
    }
}
