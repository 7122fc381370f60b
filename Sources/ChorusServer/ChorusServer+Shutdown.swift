import ChorusSIP
import Foundation
import Logging
import NIOCore
import NIOPosix

/// Shutting a server down, by ``ChorusServer/shutdown()`` or by ``ChorusServer/deinit`` for a
/// server released while it ran (a test that threw before its `shutdown()`, say).
///
/// Sockets are registered with the event loops, which outlive the server; their handlers hold
/// the objects they serve unowned (a media leg, the SIP transport). So the objects must stay until
/// every socket is closed: ``Parts`` holds them strongly through the whole sequence, without the
/// server itself.
extension ChorusServer {
    enum Life {
        /// Made, not started: only the event loop group (if it is the server's own) to let go.
        case idle
        /// ``ChorusServer/start()`` was called: listeners, calls and rooms may exist.
        case started
        /// ``ChorusServer/shutdown()`` was called.
        case shutDown
    }

    func setLife(_ new: Life) {
        lifeLock.lock()
        defer { lifeLock.unlock() }
        life = new
    }

    /// Everything the shutdown sequence needs.
    struct Parts: @unchecked Sendable {
        let logger: Logger
        let grace: Duration
        let sipLoop: any EventLoop
        let focus: Focus
        let userAgent: SIPUserAgent
        let endpoint: SIPEndpoint
        let transport: SIPTransportManager
        /// The group, when it is the server's own to shut down.
        let ownGroup: MultiThreadedEventLoopGroup?

        /// Refuses new calls, ends subscriptions, BYEs every dialog and waits for the answers up
        /// to the grace, ends what is left and waits for the legs to close, closes the listeners,
        /// then shuts the server's own event loop group down.
        func shutDown() async {
            logger.info("graceful shutdown started")
            let (focus, userAgent, endpoint, transport, grace) = (focus, userAgent, endpoint, transport, grace)
            try? await sipLoop.submit { focus.terminateAllSubscriptions() }.get()
            try? await sipLoop.flatSubmit { userAgent.shutdown(grace: grace) }.get()
            try? await sipLoop.flatSubmit { focus.endAll() }.get()
            try? await sipLoop.flatSubmit {
                endpoint.close()
                return transport.close()
            }.get()
            if let ownGroup { try? await ownGroup.shutdownGracefully() }
            logger.info("shutdown complete")
        }
    }

    var parts: Parts {
        Parts(
            logger: logger, grace: configuration.shutdown.grace, sipLoop: sipLoop, focus: focus, userAgent: userAgent,
            endpoint: endpoint, transport: transport, ownGroup: ownsGroup ? group : nil)
    }
}
