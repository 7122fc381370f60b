extension SIPRequest {
    /// A new request outside any dialog (RFC 3261 §8.1.1): fresh Call-ID and From tag, CSeq 1,
    /// Max-Forwards 70. The endpoint adds the Via when it sends it.
    public static func outOfDialog(
        _ method: SIPMethod, to target: SIPURI, from: SIPNameAddress, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []
    ) -> SIPRequest {
        var from = from
        if from.tag == nil { from.tag = SIPToken.random() }
        var to = SIPNameAddress(uri: target)
        to.uri.parameters.remove("transport")
        return SIPRequest(
            method: method, uri: target, via: [], from: from, to: to, callID: SIPToken.random(bytes: 12),
            cseq: SIPCSeq(1, method), maxForwards: 70, headers: headers, body: body)
    }
}
