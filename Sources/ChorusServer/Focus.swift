import ChorusSIP
import Logging

/// The conference focus (RFC 4353): the application on top of the SIP dialog layer.
///
/// Rooms, SDP negotiation and media arrive with the media issue. Until then the room directory is
/// empty, so every INVITE is answered 404 with a reason saying so, and every other request the
/// endpoint lets through is answered by the dialog layer (OPTIONS) or here.
final class Focus: SIPUserAgentDelegate, @unchecked Sendable {
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func userAgent(_ userAgent: SIPUserAgent, didReceiveInvite invite: SIPIncomingInvite) {
        let room = invite.request.uri.user ?? ""
        invite.reject(404, reason: room.isEmpty ? "No Room In Request-URI" : "No Such Room")
    }
}
