/// Parsers for the values of the line types the model interprets.
enum SDPFieldParser {
    typealias Line = SessionDescriptionParser.Line

    static func version(_ line: Line) throws(SDPParseError) -> Int {
        guard let version = DecimalParser.int(line.text) else {
            throw line.error("v= must be a number")
        }
        return version
    }

    /// `o=<username> <sess-id> <sess-version> IN <addrtype> <address>`
    static func origin(_ line: Line) throws(SDPParseError) -> SDPOrigin {
        let tokens = line.tokens
        guard tokens.count == 6 else {
            throw line.error("o= must have 6 fields")
        }
        guard let sessionID = DecimalParser.uint64(tokens[1]), let sessionVersion = DecimalParser.uint64(tokens[2]) else {
            throw line.error("o= session id and version must be numbers")
        }
        guard tokens[3].uppercased() == "IN", let addressType = SDPAddressType(token: tokens[4]) else {
            throw line.error("o= must use network type IN and address type IP4 or IP6")
        }
        return SDPOrigin(
            username: tokens[0],
            sessionID: sessionID,
            sessionVersion: sessionVersion,
            addressType: addressType,
            address: tokens[5]
        )
    }

    /// `c=IN <addrtype> <address>[/<ttl>][/<count>]`
    static func connection(_ line: Line) throws(SDPParseError) -> SDPConnection {
        let tokens = line.tokens
        guard tokens.count == 3, tokens[0].uppercased() == "IN", let addressType = SDPAddressType(token: tokens[1]) else {
            throw line.error("c= must be IN IP4|IP6 <address>")
        }
        let address = tokens[2].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard !address.isEmpty else {
            throw line.error("c= has no address")
        }
        return SDPConnection(addressType: addressType, address: String(address))
    }

    /// `b=<type>:<bandwidth>`
    static func bandwidth(_ line: Line) throws(SDPParseError) -> SDPBandwidth {
        let parts = line.text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let value = DecimalParser.int(parts[1]) else {
            throw line.error("b= must be <type>:<bandwidth>")
        }
        return SDPBandwidth(type: String(parts[0]), value: value)
    }

    /// `a=<name>` or `a=<name>:<value>`
    static func attribute(_ line: Line) -> SDPAttribute {
        let text = line.text
        guard let colon = text.firstIndex(of: ":") else {
            return SDPAttribute(name: text)
        }
        return SDPAttribute(name: String(text[..<colon]), value: String(text[text.index(after: colon)...]))
    }

    /// `m=<media> <port>[/<count>] <proto> <fmt> ...`
    static func media(_ line: Line) throws(SDPParseError) -> MediaDescription {
        let tokens = line.tokens
        guard tokens.count >= 2 else {
            throw line.error("m= line has no port")
        }
        guard tokens.count >= 3 else {
            throw line.error("m= line has no proto")
        }
        guard tokens.count >= 4 else {
            throw line.error("m= line has no formats")
        }
        let portParts = tokens[1].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let port = DecimalParser.int(portParts[0]), port <= 65_535 else {
            throw line.error("m= line has a bad port '\(excerpt(ofPeerText: tokens[1]))'")
        }
        var portCount: Int?
        if portParts.count == 2 {
            guard let count = DecimalParser.int(portParts[1]), count >= 1 else {
                throw line.error("m= line has a bad port count '\(excerpt(ofPeerText: tokens[1]))'")
            }
            portCount = count
        }
        return MediaDescription(
            media: tokens[0],
            port: port,
            portCount: portCount,
            proto: tokens[2],
            formats: Array(tokens[3...])
        )
    }
}
