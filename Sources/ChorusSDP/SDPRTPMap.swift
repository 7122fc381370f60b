/// What an RTP payload type stands for: `a=rtpmap:<pt> <name>/<clock rate>[/<channels>]`,
/// or the RFC 3551 static assignment when no `a=rtpmap` is sent.
public struct SDPRTPMap: Equatable, Sendable {
    /// The payload type number.
    public var payloadType: UInt8

    /// The encoding name as sent, e.g. `opus` or `PCMU` (compare it ignoring case).
    public var encodingName: String

    /// The RTP clock rate in Hz.
    public var clockRate: Int

    /// The encoding parameters, which for audio is the channel count; nil when absent (meaning 1).
    public var channels: Int?

    /// Creates a mapping.
    public init(payloadType: UInt8, encodingName: String, clockRate: Int, channels: Int? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    /// Parses the value of an `a=rtpmap` attribute, e.g. `"96 opus/48000/2"`.
    public init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let payloadType = DecimalParser.int(parts[0]), payloadType <= 127 else { return nil }
        let encoding = parts[1].split(separator: "/", omittingEmptySubsequences: false)
        guard encoding.count == 2 || encoding.count == 3, !encoding[0].isEmpty,
            let clockRate = DecimalParser.int(encoding[1].trimmingSpaces)
        else { return nil }
        var channels: Int?
        if encoding.count == 3 {
            guard let count = DecimalParser.int(encoding[2].trimmingSpaces) else { return nil }
            channels = count
        }
        self.init(
            payloadType: UInt8(payloadType),
            encodingName: String(encoding[0].trimmingSpaces),
            clockRate: clockRate,
            channels: channels
        )
    }

    /// `<name>/<clock rate>[/<channels>]`, e.g. `opus/48000/2`.
    public var encodingDescription: String {
        var text = "\(self.encodingName)/\(self.clockRate)"
        if let channels = self.channels {
            text += "/\(channels)"
        }
        return text
    }

    /// The value of the `a=rtpmap` attribute for this mapping, e.g. `"0 PCMU/8000"`.
    public var attributeValue: String {
        "\(self.payloadType) \(self.encodingDescription)"
    }

    /// The RFC 3551 meaning of a static audio payload type, if it has one Chorus knows.
    public static func staticAudio(payloadType: UInt8) -> SDPRTPMap? {
        switch payloadType {
        case 0: return SDPRTPMap(payloadType: 0, encodingName: "PCMU", clockRate: 8000)
        case 3: return SDPRTPMap(payloadType: 3, encodingName: "GSM", clockRate: 8000)
        case 4: return SDPRTPMap(payloadType: 4, encodingName: "G723", clockRate: 8000)
        case 8: return SDPRTPMap(payloadType: 8, encodingName: "PCMA", clockRate: 8000)
        // G.722's RTP clock is 8000 although it samples at 16 kHz (RFC 3551 §4.5.2).
        case 9: return SDPRTPMap(payloadType: 9, encodingName: "G722", clockRate: 8000)
        case 13: return SDPRTPMap(payloadType: 13, encodingName: "CN", clockRate: 8000)
        case 18: return SDPRTPMap(payloadType: 18, encodingName: "G729", clockRate: 8000)
        default: return nil
        }
    }

    /// Whether this is `name` at `clockRate` with a channel count in `channels` (nil standing for 1).
    func matches(_ name: String, clockRate: Int, channels: Set<Int>) -> Bool {
        self.encodingName.lowercased() == name.lowercased()
            && self.clockRate == clockRate
            && channels.contains(self.channels ?? 1)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: SubSequence {
        var start = self.startIndex
        var end = self.endIndex
        while start < end, self[start] == " " || self[start] == "\t" {
            start = self.index(after: start)
        }
        while end > start, self[self.index(before: end)] == " " || self[self.index(before: end)] == "\t" {
            end = self.index(before: end)
        }
        return self[start..<end]
    }
}
