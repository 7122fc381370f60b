/// Turns SDP bytes into a `SessionDescription`.
///
/// Lenient where real devices are sloppy (LF-only line endings, trailing whitespace, blank lines,
/// a missing `s=`, unknown lines), strict where a wrong guess would mislead negotiation
/// (the shape of `v=`, `o=`, `c=`, `b=` and `m=`).
enum SessionDescriptionParser {
    private static let lineFeed = UInt8(ascii: "\n")
    private static let space = UInt8(ascii: " ")

    static func parse(_ bytes: [UInt8]) throws(SDPParseError) -> SessionDescription {
        guard bytes.count <= SDPLimits.maximumBytes else {
            throw SDPParseError(line: 0, problem: "SDP is larger than \(SDPLimits.maximumBytes) bytes")
        }
        var builder = Builder()
        var lineNumber = 0
        var lineStart = 0
        var lineCount = 0
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: Self.lineFeed) ?? bytes.count
            lineNumber += 1
            let line = Self.trimmingTrailingWhitespace(bytes[lineStart..<lineEnd])
            lineStart = lineEnd + 1
            if line.isEmpty {
                continue
            }
            lineCount += 1
            guard lineCount <= SDPLimits.maximumLines else {
                throw SDPParseError(line: lineNumber, problem: "SDP has more than \(SDPLimits.maximumLines) lines")
            }
            try builder.add(try Self.splitLine(line, number: lineNumber))
        }
        return try builder.finish()
    }

    /// One `type=value` line, validated as UTF-8 without control characters.
    struct Line {
        var number: Int
        var type: Character
        var value: ArraySlice<UInt8>

        var text: String { String(decoding: self.value, as: UTF8.self) }

        /// The value split at spaces, runs of spaces counting as one.
        var tokens: [String] {
            self.value.split(separator: SessionDescriptionParser.space).map { String(decoding: $0, as: UTF8.self) }
        }

        func error(_ problem: String) -> SDPParseError {
            SDPParseError(line: self.number, problem: problem)
        }
    }

    private static func splitLine(_ bytes: ArraySlice<UInt8>, number: Int) throws(SDPParseError) -> Line {
        let start = bytes.startIndex
        guard bytes.count >= 2,
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[start]),
            bytes[start + 1] == UInt8(ascii: "=")
        else {
            throw SDPParseError(line: number, problem: "expected a line of the form <letter>=<value>")
        }
        // Tabs are the only control character a value may hold; CR, NUL and friends would not survive a round trip.
        guard !bytes.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else {
            throw SDPParseError(line: number, problem: "line contains a control character")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw SDPParseError(line: number, problem: "line is not valid UTF-8")
        }
        return Line(number: number, type: Character(Unicode.Scalar(bytes[start])), value: bytes[(start + 2)...])
    }

    private static func trimmingTrailingWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = bytes.endIndex
        while end > bytes.startIndex, [0x20, 0x09, 0x0D].contains(bytes[end - 1]) {
            end -= 1
        }
        return bytes[bytes.startIndex..<end]
    }

    /// Collects lines into a description, tracking whether they belong to the session or to the last `m=`.
    private struct Builder {
        var version: Int?
        var origin: SDPOrigin?
        var sessionName: String?
        var information: String?
        var connection: SDPConnection?
        var bandwidths: [SDPBandwidth] = []
        var timing: [String] = []
        var otherLines: [SDPLine] = []
        var attributes: [SDPAttribute] = []
        var media: [MediaDescription] = []

        mutating func add(_ line: Line) throws(SDPParseError) {
            if self.version == nil {
                guard line.type == "v" else {
                    throw line.error("SDP must start with a v= line")
                }
                self.version = try SDPFieldParser.version(line)
                return
            }
            switch line.type {
            case "v":
                throw line.error("unexpected second v= line")
            case "m":
                guard self.media.count < SDPLimits.maximumMediaSections else {
                    throw line.error("SDP has more than \(SDPLimits.maximumMediaSections) media sections")
                }
                self.media.append(try SDPFieldParser.media(line))
            default:
                if self.media.isEmpty {
                    try self.addSessionLine(line)
                } else {
                    try self.addMediaLine(line)
                }
            }
        }

        private mutating func addSessionLine(_ line: Line) throws(SDPParseError) {
            switch line.type {
            case "o":
                // One slot each in the model, so a second o= or s= cannot be kept.
                guard self.origin == nil else { throw line.error("unexpected second o= line") }
                self.origin = try SDPFieldParser.origin(line)
            case "s":
                guard self.sessionName == nil else { throw line.error("unexpected second s= line") }
                self.sessionName = line.text
            case "i" where self.information == nil:
                self.information = line.text
            case "c":
                let connection = try SDPFieldParser.connection(line)
                // Several c= lines only make sense for multicast; the first one is what unicast uses.
                if self.connection == nil {
                    self.connection = connection
                }
            case "b":
                self.bandwidths.append(try SDPFieldParser.bandwidth(line))
            case "t":
                self.timing.append(line.text)
            case "a":
                self.attributes.append(SDPFieldParser.attribute(line))
            default:
                self.otherLines.append(SDPLine(type: line.type, value: line.text))
            }
        }

        private mutating func addMediaLine(_ line: Line) throws(SDPParseError) {
            let index = self.media.count - 1
            switch line.type {
            case "o", "s":
                throw line.error("\(line.type)= is not allowed inside a media section")
            case "i" where self.media[index].information == nil:
                self.media[index].information = line.text
            case "c":
                let connection = try SDPFieldParser.connection(line)
                if self.media[index].connection == nil {
                    self.media[index].connection = connection
                }
            case "b":
                self.media[index].bandwidths.append(try SDPFieldParser.bandwidth(line))
            case "a":
                self.media[index].attributes.append(SDPFieldParser.attribute(line))
            default:
                self.media[index].otherLines.append(SDPLine(type: line.type, value: line.text))
            }
        }

        func finish() throws(SDPParseError) -> SessionDescription {
            guard let version = self.version else {
                throw SDPParseError(line: 0, problem: "SDP is empty")
            }
            guard let origin = self.origin else {
                throw SDPParseError(line: 0, problem: "SDP has no o= line")
            }
            let sessionName = self.sessionName ?? ""
            // Kept in serialization order, so that parse → serialize → parse gives an equal value.
            let otherLines = self.otherLines.enumerated()
                .sorted { ($0.element.sessionLevelRank, $0.offset) < ($1.element.sessionLevelRank, $1.offset) }
                .map(\.element)
            return SessionDescription(
                version: version,
                origin: origin,
                sessionName: sessionName.isEmpty ? "-" : sessionName,
                information: self.information,
                connection: self.connection,
                bandwidths: self.bandwidths,
                timing: self.timing.isEmpty ? ["0 0"] : self.timing,
                otherLines: otherLines,
                attributes: self.attributes,
                media: self.media
            )
        }
    }
}
