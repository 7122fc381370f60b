import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// Chorus's TLS certificate chain and private key (`sip.tls.*`): read from the configured PEM
/// files, or, when none are configured, a self-signed certificate kept in the storage directory
/// (made on first start, reused after).
struct TLSIdentity {
    /// File names of the self-signed certificate and key in `storage.directory`.
    static let generatedCertificateName = "tls-certificate.pem"
    static let generatedKeyName = "tls-private-key.pem"

    let certificateChain: [NIOSSLCertificate]
    let privateKey: NIOSSLPrivateKey
    /// Where the certificate came from.
    let certificatePath: String
    /// True when Chorus made it (self-signed); `generatedNow` when it did so on this start.
    let isSelfSigned: Bool
    let generatedNow: Bool
    /// SHA-256 of the leaf certificate's DER, as colon-separated upper-case hex (what clients pin).
    let fingerprint: String
    let notValidAfter: Date

    /// The identity `configuration` names, or the self-signed one in `storageDirectory` (made now
    /// when missing, naming `hosts` as subject alternative names).
    static func load(
        _ configuration: ChorusConfiguration.SIP.TLS, storageDirectory: URL, hosts: [String], now: Date = Date()
    ) throws(TLSIdentityError) -> TLSIdentity {
        if let certificateFile = configuration.certificateFile, let keyFile = configuration.privateKeyFile {
            return try read(certificateFile: certificateFile, keyFile: keyFile, isSelfSigned: false, generatedNow: false, now: now)
        }
        let certificateFile = storageDirectory.appendingPathComponent(generatedCertificateName).path
        let keyFile = storageDirectory.appendingPathComponent(generatedKeyName).path
        let manager = FileManager.default
        var generated = false
        if !manager.fileExists(atPath: certificateFile) || !manager.fileExists(atPath: keyFile) {
            try generateSelfSigned(certificateFile: certificateFile, keyFile: keyFile, directory: storageDirectory, hosts: hosts, now: now)
            generated = true
        }
        return try read(certificateFile: certificateFile, keyFile: keyFile, isSelfSigned: true, generatedNow: generated, now: now)
    }

    private static func read(
        certificateFile: String, keyFile: String, isSelfSigned: Bool, generatedNow: Bool, now: Date
    ) throws(TLSIdentityError) -> TLSIdentity {
        let certificatePEM = try text(of: certificateFile)
        let keyPEM = try text(of: keyFile)
        let leaf: Certificate
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
            guard let first = chain.first else { throw TLSIdentityError.noCertificate(certificateFile) }
            leaf = try Certificate(derEncoded: try first.toDERBytes())
        } catch let error as TLSIdentityError {
            throw error
        } catch {
            throw .notACertificate(certificateFile, "\(error)")
        }
        let key: Certificate.PrivateKey
        let sslKey: NIOSSLPrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyPEM)
            sslKey = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        } catch {
            throw .notAPrivateKey(keyFile, "\(error)")
        }
        guard key.publicKey == leaf.publicKey else { throw .keyMismatch(certificate: certificateFile, key: keyFile) }
        guard leaf.notValidAfter > now else { throw .expired(certificateFile, leaf.notValidAfter) }
        guard leaf.notValidBefore <= now else { throw .notYetValid(certificateFile, leaf.notValidBefore) }
        let der = (try? chain[0].toDERBytes()) ?? []
        let fingerprint = SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined(separator: ":")
        return TLSIdentity(
            certificateChain: chain, privateKey: sslKey, certificatePath: certificateFile, isSelfSigned: isSelfSigned,
            generatedNow: generatedNow, fingerprint: fingerprint, notValidAfter: leaf.notValidAfter)
    }

    private static func text(of path: String) throws(TLSIdentityError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path, (error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
    }

    /// A P-256 key and a certificate for it, valid from an hour ago for ten years, for `hosts`
    /// (names and IP addresses) plus localhost; the key file is readable by its owner only.
    static func generateSelfSigned(
        certificateFile: String, keyFile: String, directory: URL, hosts: [String], now: Date
    ) throws(TLSIdentityError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let key = P256.Signing.PrivateKey()
            let name = try DistinguishedName {
                OrganizationName("Chorus")
                CommonName(hosts.first ?? "localhost")
            }
            var names: [GeneralName] = []
            for host in (hosts + ["localhost", "127.0.0.1", "::1"]) where !names.contains(generalName(host)) {
                names.append(generalName(host))
            }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                // No KeyUsage: BoringSSL only takes a self-signed certificate as its own trust anchor
                // (what a client that pins it does) when it has none or one with keyCertSign.
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames(names)
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
                issuerPrivateKey: .init(key))
            let certificatePEM = try certificate.serializeAsPEM().pemString + "\n"
            // The key first, owner-only from the start: no moment where another user could read it.
            guard FileManager.default.createFile(atPath: keyFile, contents: Data((key.pemRepresentation + "\n").utf8), attributes: [.posixPermissions: 0o600])
            else { throw TLSIdentityError.cannotWrite(keyFile, "cannot create the file") }
            try Data(certificatePEM.utf8).write(to: URL(fileURLWithPath: certificateFile), options: .atomic)
        } catch let error as TLSIdentityError {
            throw error
        } catch {
            throw .cannotWrite(certificateFile, "\(error)")
        }
    }

    /// An IP address as an iPAddress name (4 or 16 bytes), anything else as a DNS name.
    private static func generalName(_ host: String) -> GeneralName {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(withUnsafeBytes(of: &v4) { Array($0) })))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(withUnsafeBytes(of: &v6) { Array($0) })))
        }
        return .dnsName(host)
    }
}

/// Why the TLS certificate or key cannot be used; each stops start-up naming the file.
enum TLSIdentityError: Error, CustomStringConvertible, Equatable {
    case unreadable(String, String)
    case noCertificate(String)
    case notACertificate(String, String)
    case notAPrivateKey(String, String)
    case keyMismatch(certificate: String, key: String)
    case expired(String, Date)
    case notYetValid(String, Date)
    case cannotWrite(String, String)

    var description: String {
        switch self {
        case .unreadable(let path, let why): "cannot read \(path): \(why)"
        case .noCertificate(let path): "\(path) holds no PEM certificate"
        case .notACertificate(let path, let why): "\(path) is not a PEM certificate: \(why)"
        case .notAPrivateKey(let path, let why): "\(path) is not a PEM private key: \(why)"
        case .keyMismatch(let certificate, let key): "the private key \(key) does not belong to the certificate \(certificate)"
        case .expired(let path, let date): "the certificate \(path) expired on \(date.formatted(.iso8601))"
        case .notYetValid(let path, let date): "the certificate \(path) is not valid before \(date.formatted(.iso8601))"
        case .cannotWrite(let path, let why): "cannot write the self-signed certificate \(path): \(why)"
        }
    }
}
