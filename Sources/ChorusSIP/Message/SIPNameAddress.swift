/// A `name-addr` or `addr-spec` with header parameters, as in From, To, Contact, Route, Record-Route
/// (RFC 3261 §20.10, §25.1).
public struct SIPNameAddress: Hashable, Sendable, CustomStringConvertible {
    /// The display name, unquoted and unescaped, or nil.
    public var displayName: String?
    public var uri: SIPURI
    /// Header parameters (after the `>`, or after the addr-spec), e.g. `tag`, `expires`, `q`.
    public var parameters: SIPParameters
    /// `Contact: *` (only valid in REGISTER).
    public var isWildcard: Bool = false

    public init(displayName: String? = nil, uri: SIPURI, parameters: SIPParameters = SIPParameters()) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    /// The `tag` parameter (From/To).
    public var tag: String? {
        get { parameters.value("tag") }
        set {
            if let newValue { parameters.set("tag", newValue) } else { parameters.remove("tag") }
        }
    }

    /// Always serialised in name-addr form (`"Name" <uri>;params`), which is unambiguous.
    public var description: String {
        if isWildcard { return "*" }
        var out = ""
        if let displayName, !displayName.isEmpty {
            out += "\"" + displayName.sipQuotedStringEscaped + "\" "
        }
        out += "<" + uri.description + ">" + parameters.serialized
        return out
    }
}

extension String {
    /// Escapes `"` and `\` for use inside a SIP quoted-string.
    public var sipQuotedStringEscaped: String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for ch in self {
            if ch == "\"" || ch == "\\" { out.append("\\") }
            out.append(ch)
        }
        return out
    }
}
