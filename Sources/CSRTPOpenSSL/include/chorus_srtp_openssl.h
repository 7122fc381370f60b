// CSRTPOpenSSL: libsrtp2's AES-CM and HMAC-SHA1 on OpenSSL's libcrypto.
//
// Debian builds libsrtp2 against NSS, which sets up a PKCS #11 context for every packet it
// encrypts or authenticates: about 10 µs a packet when a room's many sessions take turns, ten
// times what the cipher itself costs. libsrtp2 lets a program replace the implementation of a
// cipher or authentication type (srtp_replace_cipher_type, srtp_replace_auth_type); the
// replacement must first pass libsrtp2's own known-answer tests for that type as well as the
// ones it brings. This target installs OpenSSL's AES-128 in counter mode and HMAC-SHA1, with
// one OpenSSL context per libsrtp2 cipher or authenticator, set up once and reset per packet.
// The AEAD-GCM suites stay on libsrtp2's own implementation.
#ifndef CHORUS_SRTP_OPENSSL_H
#define CHORUS_SRTP_OPENSSL_H

/// Replaces libsrtp2's AES_ICM_128 cipher with OpenSSL's. Call each of these two once, after
/// srtp_init() and before any session is created. Returns 0 on success, or the
/// srtp_err_status_t of the failed replacement (libsrtp2 then keeps its own).
int chorus_srtp_use_openssl_cipher(void);

/// Replaces libsrtp2's HMAC_SHA1 authenticator with OpenSSL's, as above; -1 when OpenSSL has
/// no HMAC.
int chorus_srtp_use_openssl_hmac(void);

/// OpenSSL's version text (e.g. "OpenSSL 3.0.19 27 Jan 2026"), for logs.
const char *chorus_srtp_openssl_version(void);

#endif
