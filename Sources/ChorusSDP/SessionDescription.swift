/// A parsed SDP body (RFC 8866): the session-level lines and the media sections.
///
/// Lines Chorus does not interpret are kept in `otherLines` and `attributes`, so
/// `SessionDescription(parsing: description.serialized())` gives back an equal value (for bodies comfortably inside
/// `SDPLimits`: serializing adds CRs, and `s=`/`t=` lines when they were missing).
public struct SessionDescription: Equatable, Sendable {
    /// `v=`: the protocol version, always 0 in practice.
    public var version: Int

    /// `o=`: who created the session, and which version of it this is.
    public var origin: SDPOrigin

    /// `s=`: the session name. Serialized as `-` when empty; a missing or empty `s=` parses as `-`.
    public var sessionName: String

    /// `i=`: session information, rarely sent.
    public var information: String?

    /// The session-level `c=`, the default for media sections without their own.
    public var connection: SDPConnection?

    /// The session-level `b=` lines.
    public var bandwidths: [SDPBandwidth]

    /// The raw values of the `t=` lines; `["0 0"]` when none were sent.
    public var timing: [String]

    /// Session-level lines Chorus does not interpret, kept for the round trip.
    public var otherLines: [SDPLine]

    /// The session-level `a=` lines, in order.
    public var attributes: [SDPAttribute]

    /// The media sections (`m=` and the lines after it), in order.
    public var media: [MediaDescription]

    /// Creates a description from its parts.
    public init(
        version: Int = 0,
        origin: SDPOrigin,
        sessionName: String = "-",
        information: String? = nil,
        connection: SDPConnection? = nil,
        bandwidths: [SDPBandwidth] = [],
        timing: [String] = ["0 0"],
        otherLines: [SDPLine] = [],
        attributes: [SDPAttribute] = [],
        media: [MediaDescription] = []
    ) {
        self.version = version
        self.origin = origin
        self.sessionName = sessionName
        self.information = information
        self.connection = connection
        self.bandwidths = bandwidths
        self.timing = timing
        self.otherLines = otherLines
        self.attributes = attributes
        self.media = media
    }

    /// Parses an SDP body given as text. Both CRLF and bare LF line endings are accepted.
    public init(parsing text: String) throws(SDPParseError) {
        self = try SessionDescriptionParser.parse(Array(text.utf8))
    }

    /// Parses an SDP body given as bytes, e.g. straight from a SIP message body.
    /// Bytes that are not valid UTF-8 are an error.
    public init(parsing bytes: [UInt8]) throws(SDPParseError) {
        self = try SessionDescriptionParser.parse(bytes)
    }

    /// The session-level direction attribute, if any: the default for media sections without one.
    public var sessionDirection: MediaDirection? {
        self.attributes.lazy.compactMap { MediaDirection(rawValue: $0.name.lowercased()) }.first
    }

    /// The values of the session-level attributes with the given name (ASCII case ignored); `""` for flags.
    public func attributeValues(named name: String) -> [String] {
        self.attributes.filter { $0.hasName(name) }.map { $0.value ?? "" }
    }
}
