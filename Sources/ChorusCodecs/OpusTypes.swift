internal import COpus

/// The coding mode an encoder is tuned for (`OPUS_APPLICATION_*`).
public enum OpusApplication: Sendable, Hashable {
    /// Speech, favouring intelligibility: Chorus's default.
    case voip
    /// Music and mixed content, favouring fidelity.
    case audio
    /// Lowest algorithmic delay; disables speech-optimised modes.
    case restrictedLowDelay

    var rawValue: Int32 {
        switch self {
        case .voip: OPUS_APPLICATION_VOIP
        case .audio: OPUS_APPLICATION_AUDIO
        case .restrictedLowDelay: OPUS_APPLICATION_RESTRICTED_LOWDELAY
        }
    }

    init?(rawValue: Int32) {
        switch rawValue {
        case OPUS_APPLICATION_VOIP: self = .voip
        case OPUS_APPLICATION_AUDIO: self = .audio
        case OPUS_APPLICATION_RESTRICTED_LOWDELAY: self = .restrictedLowDelay
        default: return nil
        }
    }
}

/// A hint about the content (`OPUS_SET_SIGNAL`).
public enum OpusSignal: Sendable, Hashable {
    case auto, voice, music

    var rawValue: Int32 {
        switch self {
        case .auto: OPUS_AUTO
        case .voice: OPUS_SIGNAL_VOICE
        case .music: OPUS_SIGNAL_MUSIC
        }
    }

    init?(rawValue: Int32) {
        switch rawValue {
        case OPUS_AUTO: self = .auto
        case OPUS_SIGNAL_VOICE: self = .voice
        case OPUS_SIGNAL_MUSIC: self = .music
        default: return nil
        }
    }
}

/// An audio bandwidth (`OPUS_BANDWIDTH_*`), narrowband (4 kHz) to fullband (20 kHz).
public enum OpusBandwidth: Sendable, Hashable, CaseIterable {
    case narrowband, mediumband, wideband, superwideband, fullband

    var rawValue: Int32 {
        switch self {
        case .narrowband: OPUS_BANDWIDTH_NARROWBAND
        case .mediumband: OPUS_BANDWIDTH_MEDIUMBAND
        case .wideband: OPUS_BANDWIDTH_WIDEBAND
        case .superwideband: OPUS_BANDWIDTH_SUPERWIDEBAND
        case .fullband: OPUS_BANDWIDTH_FULLBAND
        }
    }

    init?(rawValue: Int32) {
        guard let match = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = match
    }
}

/// Encoder settings Chorus applies at creation (and may change later through the setters).
public struct OpusEncoderConfiguration: Sendable, Hashable {
    /// Target bits per second (500...512 000).
    public var bitrate: Int32
    /// 0 (cheapest) ... 10 (best). See FACTS.md for the measured cost per frame.
    public var complexity: Int32
    /// In-band forward error correction: the next packet carries a low-rate copy of this frame.
    public var inbandFEC: Bool
    /// Expected packet loss in percent (0...100); FEC only spends bits when this is above zero.
    public var expectedPacketLoss: Int32
    /// Discontinuous transmission: send (almost) nothing during silence.
    public var dtx: Bool
    public var signal: OpusSignal
    public var maxBandwidth: OpusBandwidth

    public init(
        bitrate: Int32 = 32_000, complexity: Int32 = 5, inbandFEC: Bool = false, expectedPacketLoss: Int32 = 0,
        dtx: Bool = false, signal: OpusSignal = .voice, maxBandwidth: OpusBandwidth = .fullband
    ) {
        self.bitrate = bitrate
        self.complexity = complexity
        self.inbandFEC = inbandFEC
        self.expectedPacketLoss = expectedPacketLoss
        self.dtx = dtx
        self.signal = signal
        self.maxBandwidth = maxBandwidth
    }
}

/// Constants shared by encoder and decoder.
public enum Opus {
    /// Sample rates libopus accepts.
    public static let supportedSampleRates: Set<Int32> = [8_000, 12_000, 16_000, 24_000, 48_000]
    /// Largest packet worth allocating for (the libopus recommendation for one frame).
    public static let maxPacketSize = 4_000
    /// Samples per channel in 120 ms at 48 kHz: the longest frame a packet can decode to.
    public static let maxFrameSamplesPerChannel = 5_760

    /// Whether `samplesPerChannel` is a legal Opus frame (2.5, 5, 10, 20, 40 or 60 ms) at `sampleRate`.
    public static func isValidFrameSize(_ samplesPerChannel: Int, sampleRate: Int32) -> Bool {
        let per2500us = Int(sampleRate) / 400
        return [1, 2, 4, 8, 16, 24].contains { $0 * per2500us == samplesPerChannel }
    }
}
