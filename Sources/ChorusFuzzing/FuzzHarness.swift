import ChorusConference
import ChorusRTP
import ChorusSDP
import ChorusSIP
import NIOCore

/// The fuzz harnesses: each takes arbitrary bytes, runs one parser (and what is built on it) and
/// traps when an invariant breaks. A crash, a trap or a sanitizer report is a finding; a parse
/// error is not. Used by the libFuzzer executable `chorus-fuzz` and, over the seed corpora in
/// `Fuzz/corpus/`, by the unit tests.
public enum FuzzHarness: String, CaseIterable, Sendable {
    /// SIP messages as datagrams and as a stream: parse, round-trip, salvage answers, the stream framer.
    case sip
    /// SDP: parse, round-trip, and answer the offer (codec choice, SRTP, directions).
    case sdp
    /// RTP packets (with extensions and padding), RTCP compound packets, RFC 4733 events.
    case rtp
    /// The MESSAGE command grammar, in each of its contexts.
    case command
    /// Digest `Authorization` credentials and `WWW-Authenticate` challenges.
    case digest

    /// Runs the harness on one input.
    public func run(_ data: [UInt8]) {
        switch self {
        case .sip: Self.sip(data)
        case .sdp: Self.sdp(data)
        case .rtp: Self.rtp(data)
        case .command: Self.command(data)
        case .digest: Self.digest(data)
        }
    }

    /// Inputs larger than this are cut: every parser bounds its input well below it anyway.
    public static let maxInput = 70_000

    static func sip(_ data: [UInt8]) {
        for framing in [SIPFraming.datagram, .stream] {
            do {
                let message = try SIPMessageParser.parse(data, framing: framing)
                // Whatever parses must serialize into something that parses to the same message.
                let wire = message.serialized()
                guard let again = try? SIPMessageParser.parse(wire, framing: .stream) else {
                    fatalError("serialized message does not parse: \(String(decoding: wire, as: UTF8.self).debugDescription)")
                }
                precondition(again == message, "round trip differs")
            } catch {
                precondition(!error.reason.isEmpty)
                if let salvage = error.salvage {
                    let answer = salvage.response(statusCode: error.suggestedStatusCode, reason: error.reason, toTag: "t")
                    precondition((try? SIPMessageParser.parse(answer, framing: .datagram)) != nil, "the answer to garbage does not parse")
                }
            }
        }
        var buffer = ByteBufferAllocator().buffer(capacity: data.count)
        buffer.writeBytes(data)
        var frames = 0
        while let next = try? SIPStreamFramer.nextMessage(from: &buffer) {
            _ = try? SIPMessageParser.parse(next, framing: .stream)
            frames += 1
            precondition(frames <= data.count, "the framer does not advance")
        }
    }

    static let transport = LocalTransport(address: "192.0.2.1", rtpPort: 20_000)
    static let capabilities = LocalMediaCapabilities(
        codecs: [.opus, .pcmu, .pcma], srtpPolicy: .optional, cryptoSuites: SRTPCryptoSuite.allCases.map(\.sdesName),
        randomBytes: { [UInt8](repeating: 7, count: $0) })

    static func sdp(_ data: [UInt8]) {
        guard let offer = try? SessionDescription(parsing: data) else { return }
        let text = offer.serialized()
        guard let again = try? SessionDescription(parsing: text) else {
            fatalError("serialized SDP does not parse: \(text.debugDescription)")
        }
        precondition(again.serialized() == text, "SDP round trip differs")
        let session = SessionIdentity(sessionID: 1, version: 1)
        if let (answer, _) = try? OfferAnswer.answer(to: offer, transport: transport, capabilities: capabilities, session: session) {
            precondition((try? SessionDescription(parsing: answer.serialized())) != nil, "Chorus's answer does not parse")
        }
    }

    static func rtp(_ data: [UInt8]) {
        if let packet = try? RTPPacket(parsing: data) {
            let wire = packet.serialized()
            precondition((try? RTPPacket(parsing: wire)) == packet, "RTP round trip differs")
        }
        _ = try? RTCPParser.parse(data, requireReportFirst: true)
        _ = try? RTCPParser.parse(data, requireReportFirst: false)
        _ = TelephoneEventPayload(bytes: data)
    }

    static func command(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        for context in [CommandContext.control, .room("4200"), .participant(room: "4200")] {
            switch CommandParser.parse(text, context: context) {
            case .success: break
            case .failure(let error): precondition(!error.message.isEmpty, "a refusal must say why")
            }
        }
    }

    static func digest(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        if let credentials = try? SIPDigestCredentials(parsing: text) {
            do {
                _ = try SIPDigestCredentials(parsing: credentials.serialized)
            } catch {
                fatalError("serialized credentials do not parse (\(error)): \(credentials.serialized.debugDescription)")
            }
        }
        if let challenge = try? SIPDigestChallenge(parsing: text) {
            do {
                _ = try SIPDigestChallenge(parsing: challenge.serialized)
            } catch {
                fatalError("serialized challenge does not parse (\(error)): \(challenge.serialized.debugDescription)")
            }
        }
    }
}
