/// What the remote side asked of the Opus stream Chorus sends it (RFC 7587 §6.1), from its `a=fmtp`
/// (and its `a=ptime`/`a=maxptime`). Values outside the ranges RFC 7587 allows are ignored.
public struct OpusParameters: Equatable, Sendable {
    /// `maxplaybackrate`: the highest sample rate the remote decoder renders (8000–48000).
    public var maxPlaybackRate: Int?
    /// `sprop-maxcapturerate`: the highest sample rate the remote side captures at (8000–48000).
    public var spropMaxCaptureRate: Int?
    /// `stereo=1`: the remote side prefers to receive stereo.
    public var stereo: Bool
    /// `sprop-stereo=1`: the remote side is likely to send stereo.
    public var spropStereo: Bool
    /// `useinbandfec=1`: the remote decoder can use in-band FEC, so Chorus may send it.
    public var useInbandFEC: Bool
    /// `usedtx=1`: the remote side prefers that Chorus use discontinuous transmission.
    public var useDTX: Bool
    /// `maxaveragebitrate`: the highest average bitrate the remote side wants, in bit/s (6000–510000).
    public var maxAverageBitrate: Int?
    /// The packet time the remote side prefers, in ms.
    public var ptime: Int?
    /// The longest packet time the remote side accepts, in ms.
    public var maxptime: Int?

    /// Creates parameters; everything defaults to what an absent `a=fmtp` means.
    public init(
        maxPlaybackRate: Int? = nil,
        spropMaxCaptureRate: Int? = nil,
        stereo: Bool = false,
        spropStereo: Bool = false,
        useInbandFEC: Bool = false,
        useDTX: Bool = false,
        maxAverageBitrate: Int? = nil,
        ptime: Int? = nil,
        maxptime: Int? = nil
    ) {
        self.maxPlaybackRate = maxPlaybackRate
        self.spropMaxCaptureRate = spropMaxCaptureRate
        self.stereo = stereo
        self.spropStereo = spropStereo
        self.useInbandFEC = useInbandFEC
        self.useDTX = useDTX
        self.maxAverageBitrate = maxAverageBitrate
        self.ptime = ptime
        self.maxptime = maxptime
    }

    /// Reads the RFC 7587 parameters (keys ignoring case); `ptime`/`maxptime` are read too because some
    /// devices put them in the fmtp instead of their own attributes.
    public init(formatParameters: SDPFormatParameters?) {
        func number(_ key: String, in range: ClosedRange<Int>) -> Int? {
            guard let value = formatParameters?[key].flatMap({ DecimalParser.int($0) }), range.contains(value) else {
                return nil
            }
            return value
        }
        func flag(_ key: String) -> Bool {
            formatParameters?[key] == "1"
        }
        self.init(
            maxPlaybackRate: number("maxplaybackrate", in: 8_000...48_000),
            spropMaxCaptureRate: number("sprop-maxcapturerate", in: 8_000...48_000),
            stereo: flag("stereo"),
            spropStereo: flag("sprop-stereo"),
            useInbandFEC: flag("useinbandfec"),
            useDTX: flag("usedtx"),
            maxAverageBitrate: number("maxaveragebitrate", in: 6_000...510_000),
            ptime: number("ptime", in: 1...120),
            maxptime: number("maxptime", in: 1...120)
        )
    }
}
