import NIOSSL

/// The TLS contexts of SIP over TLS (RFC 3261 §26.2): one for the connections Chorus accepts
/// (its certificate and key) and one for the connections it opens itself (which certificates it
/// trusts). Both require TLS 1.2 or later.
public struct SIPTLSContexts: Sendable {
    /// Accepted connections: Chorus presents its certificate chain. Nil when Chorus only connects out.
    public var server: NIOSSLContext?
    /// Connections Chorus opens: the peer's certificate is verified (chain and host).
    public var client: NIOSSLContext
    /// False when no trust roots were given and the system has no CA store either (a minimal
    /// image without `ca-certificates`): connections Chorus opens then trust no certificate at all
    /// and fail verification, while everything else works. The server warns about it at start-up.
    public var clientTrustsSomething: Bool

    public init(server: NIOSSLContext?, client: NIOSSLContext, clientTrustsSomething: Bool = true) {
        self.server = server
        self.client = client
        self.clientTrustsSomething = clientTrustsSomething
    }

    /// Contexts from PEM material already read.
    ///
    /// - Parameters:
    ///   - certificateChain: Chorus's certificate first, then any intermediates.
    ///   - privateKey: the key of the first certificate.
    ///   - trustRoots: what connections Chorus opens trust; nil: the system's roots.
    /// - Throws: NIOSSL's error when the key does not belong to the certificate or the material is unusable.
    public static func make(
        certificateChain: [NIOSSLCertificate], privateKey: NIOSSLPrivateKey, trustRoots: [NIOSSLCertificate]? = nil
    ) throws -> SIPTLSContexts {
        var server = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificateChain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        server.minimumTLSVersion = .tlsv12
        // Phones rarely have certificates of their own: Chorus does not ask for one (RFC 3261 §26.3.2.1
        // lets the server authenticate the client by digest instead).
        server.certificateVerification = .none
        let serverContext = try NIOSSLContext(configuration: server)
        var contexts = try makeClientOnly(trustRoots: trustRoots) { client in
            client.certificateChain = certificateChain.map { .certificate($0) }
            client.privateKey = .privateKey(privateKey)
        }
        contexts.server = serverContext
        return contexts
    }

    /// Contexts for a Chorus that does not listen for TLS but may connect out over it (dial-out,
    /// requests to a `sips:` peer).
    ///
    /// - Parameter trustRoots: what those connections trust; nil: the system's roots.
    /// - Throws: NIOSSL's error when the configuration is unusable.
    public static func makeClientOnly(trustRoots: [NIOSSLCertificate]? = nil) throws -> SIPTLSContexts {
        try makeClientOnly(trustRoots: trustRoots) { _ in }
    }

    private static func makeClientOnly(
        trustRoots: [NIOSSLCertificate]?, identity addIdentity: (inout TLSConfiguration) -> Void
    ) throws -> SIPTLSContexts {
        var client = TLSConfiguration.makeClientConfiguration()
        client.minimumTLSVersion = .tlsv12
        client.certificateVerification = .fullVerification
        if let trustRoots { client.trustRoots = .certificates(trustRoots) }
        addIdentity(&client)
        do {
            return SIPTLSContexts(server: nil, client: try NIOSSLContext(configuration: client))
        } catch _ where trustRoots == nil {
            // NIOSSL looks for the system's CA bundle in the usual places when the context is
            // made and fails with an empty error stack when there is none. Not being able to
            // verify peers must not stop a server that may never open a TLS connection itself.
            client.trustRoots = .certificates([])
            return SIPTLSContexts(server: nil, client: try NIOSSLContext(configuration: client), clientTrustsSomething: false)
        }
    }
}
