/// Identifies a dialog (RFC 3261 §12): Call-ID and the two tags, seen from Chorus's side.
public struct SIPDialogID: Hashable, Sendable, CustomStringConvertible {
    public var callID: String
    public var localTag: String
    public var remoteTag: String
    public init(callID: String, localTag: String, remoteTag: String) {
        self.callID = callID
        self.localTag = localTag
        self.remoteTag = remoteTag
    }
    public var description: String { "\(callID);local=\(localTag);remote=\(remoteTag)" }
}

/// Why a dialog ended.
public enum SIPDialogEndReason: Sendable, Equatable {
    /// The peer sent BYE.
    case remoteBye
    /// Chorus sent BYE (hang-up, kick, shutdown).
    case localBye
    /// The 2xx to INVITE was never acknowledged (RFC 3261 §13.3.1.4).
    case ackTimeout
}

/// A dialog in which Chorus is the UAS (RFC 3261 §12.1.1) or the UAC (§12.1.2).
///
/// It holds what in-dialog requests need: the route set, the remote target, both sequence numbers,
/// and the flow (transport and socket) the dialog was set up on. Confined to the endpoint's loop.
public final class SIPDialog: @unchecked Sendable {
    public enum State: Sendable, Equatable {
        /// 2xx sent, ACK not yet received.
        case waitingForAck
        case confirmed
        case terminated
    }

    /// What made the dialog (RFC 6665 §4.5.2 calls these dialog usages).
    public enum Usage: Sendable, Equatable {
        /// An INVITE session: it ends with BYE.
        case invite
        /// A subscription made by SUBSCRIBE or REFER outside any dialog: it ends with the
        /// notifier's terminating NOTIFY, never with BYE.
        case subscription
    }

    public let id: SIPDialogID
    public internal(set) var state: State
    /// Chorus's own identity in the dialog, with its tag (the To of the INVITE it answered).
    public let local: SIPNameAddress
    /// The peer's identity, with its tag.
    public let remote: SIPNameAddress
    /// The peer's Contact URI; updated by target-refresh requests (re-INVITE).
    public internal(set) var remoteTarget: SIPURI
    /// Record-Route values, in the order requests must carry them as Route.
    public let routeSet: [SIPNameAddress]
    public internal(set) var localSequence: UInt32
    public internal(set) var remoteSequence: UInt32?
    /// The flow the dialog was created on; used for in-dialog requests when there is no route set.
    public internal(set) var peer: SIPPeer
    /// Whether the dialog was set up over TLS with a sips: URI (RFC 3261 §12.1.1).
    public let isSecure: Bool
    /// The Contact Chorus advertised in the dialog.
    public let localContact: SIPURI
    public let usage: Usage
    /// Set when shutdown asked for a BYE that must wait for the ACK (RFC 3261 §15).
    var byeWhenAcked = false

    init(
        id: SIPDialogID, state: State, local: SIPNameAddress, remote: SIPNameAddress, remoteTarget: SIPURI,
        routeSet: [SIPNameAddress], localSequence: UInt32, remoteSequence: UInt32?, peer: SIPPeer, isSecure: Bool,
        localContact: SIPURI, usage: Usage = .invite
    ) {
        self.id = id
        self.state = state
        self.local = local
        self.remote = remote
        self.remoteTarget = remoteTarget
        self.routeSet = routeSet
        self.localSequence = localSequence
        self.remoteSequence = remoteSequence
        self.peer = peer
        self.isSecure = isSecure
        self.localContact = localContact
        self.usage = usage
    }

    /// Builds the dialog's next request (RFC 3261 §12.2.1.1): CSeq incremented, Request-URI and
    /// Route from the route set (loose routing; strict routers get the remote target appended).
    public func makeRequest(_ method: SIPMethod, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) -> SIPRequest {
        if method != .ack && method != .cancel { localSequence &+= 1 }
        var uri = remoteTarget
        var routes = routeSet
        if let first = routeSet.first, !first.uri.parameters.contains("lr") {
            // Strict router: it goes in the Request-URI, the remote target becomes the last Route.
            uri = first.uri
            uri.parameters.remove("method")
            routes.removeFirst()
            routes.append(SIPNameAddress(uri: remoteTarget))
        }
        var allHeaders = SIPHeaders()
        for route in routes { allHeaders.add("Route", route.description) }
        for field in headers { allHeaders.add(field.name, field.value) }
        return SIPRequest(
            method: method, uri: uri, via: [], from: local, to: remote, callID: id.callID,
            cseq: SIPCSeq(localSequence, method), maxForwards: 70, headers: allHeaders, body: body)
    }

    /// The URI the next hop is found from: the first Route if there is a route set, else nil (use ``peer``).
    public var nextHopURI: SIPURI? { routeSet.first?.uri }
}
