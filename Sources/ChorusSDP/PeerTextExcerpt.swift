/// Peer-controlled text made safe to quote in error messages, which may end up in a SIP `Warning` header:
/// printable ASCII only, without `"` and `\` (a quoted-string would need them escaped), and short.
func excerpt(ofPeerText text: some StringProtocol, limit: Int = 32) -> String {
    var excerpt = String(
        text.unicodeScalars.prefix(limit).map { scalar in
            (0x20..<0x7F).contains(scalar.value) && scalar != "\"" && scalar != "\\" ? Character(scalar) : "?"
        })
    if text.unicodeScalars.count > limit {
        excerpt += "..."
    }
    return excerpt
}
