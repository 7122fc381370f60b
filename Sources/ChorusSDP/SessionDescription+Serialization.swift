extension SessionDescription {
    /// The description as SDP text: CRLF line endings, lines in RFC 8866 order.
    public func serialized() -> String {
        var writer = SDPLineWriter()
        writer.write("v", String(self.version))
        writer.write("o", self.origin.fieldValue)
        writer.write("s", self.sessionName.isEmpty ? "-" : self.sessionName)
        if let information = self.information {
            writer.write("i", information)
        }
        // The parser keeps `otherLines` sorted by rank, so a stable sort only matters for hand-made values.
        let otherLines = self.otherLines.enumerated()
            .sorted { ($0.element.sessionLevelRank, $0.offset) < ($1.element.sessionLevelRank, $1.offset) }
            .map(\.element)
        for line in otherLines where line.sessionLevelRank == 0 {
            writer.write(line)
        }
        if let connection = self.connection {
            writer.write("c", connection.fieldValue)
        }
        for bandwidth in self.bandwidths {
            writer.write("b", bandwidth.fieldValue)
        }
        for timing in self.timing.isEmpty ? ["0 0"] : self.timing {
            writer.write("t", timing)
        }
        for line in otherLines where line.sessionLevelRank > 0 {
            writer.write(line)
        }
        for attribute in self.attributes {
            writer.write("a", attribute.fieldValue)
        }
        for media in self.media {
            writer.write("m", media.fieldValue)
            if let information = media.information {
                writer.write("i", information)
            }
            if let connection = media.connection {
                writer.write("c", connection.fieldValue)
            }
            for bandwidth in media.bandwidths {
                writer.write("b", bandwidth.fieldValue)
            }
            for line in media.otherLines {
                writer.write(line)
            }
            for attribute in media.attributes {
                writer.write("a", attribute.fieldValue)
            }
        }
        return writer.text
    }
}

/// Accumulates `type=value` lines with CRLF endings.
struct SDPLineWriter {
    private(set) var text = ""

    mutating func write(_ type: Character, _ value: String) {
        self.text.append(type)
        self.text.append("=")
        self.text.append(value)
        self.text.append("\r\n")
    }

    mutating func write(_ line: SDPLine) {
        self.write(line.type, line.value)
    }
}
