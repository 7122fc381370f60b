/// A media section: an `m=` line and the `i=`, `c=`, `b=` and `a=` lines that follow it.
public struct MediaDescription: Equatable, Sendable {
    /// The media type, e.g. `audio` or `video`.
    public var media: String

    /// The transport port; 0 marks a rejected or disabled stream.
    public var port: Int

    /// The port count after a slash (`49170/2`), if one was given.
    public var portCount: Int?

    /// The transport protocol, e.g. `RTP/AVP` or `RTP/SAVPF`.
    public var proto: String

    /// The formats: RTP payload type numbers for RTP protocols, in the sender's order of preference.
    public var formats: [String]

    /// `i=`: media title, rarely sent.
    public var information: String?

    /// The media-level `c=`, which overrides the session-level one.
    public var connection: SDPConnection?

    /// The media-level `b=` lines.
    public var bandwidths: [SDPBandwidth]

    /// Media-level lines Chorus does not interpret, kept for the round trip.
    public var otherLines: [SDPLine]

    /// The media-level `a=` lines, in order.
    public var attributes: [SDPAttribute]

    /// Creates a media section from its parts.
    public init(
        media: String,
        port: Int,
        portCount: Int? = nil,
        proto: String,
        formats: [String],
        information: String? = nil,
        connection: SDPConnection? = nil,
        bandwidths: [SDPBandwidth] = [],
        otherLines: [SDPLine] = [],
        attributes: [SDPAttribute] = []
    ) {
        self.media = media
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
        self.information = information
        self.connection = connection
        self.bandwidths = bandwidths
        self.otherLines = otherLines
        self.attributes = attributes
    }

    /// The value after `m=`.
    var fieldValue: String {
        var port = String(self.port)
        if let portCount = self.portCount {
            port += "/\(portCount)"
        }
        return ([self.media, port, self.proto] + self.formats).joined(separator: " ")
    }
}
