// CSRTP: libsrtp2 for Swift.
//
// Some crypto policy setters are macros in <srtp2/srtp.h>, which Swift cannot call; each
// suite Chorus offers gets a `static inline` function here that sets both the SRTP and the
// SRTCP policy of an `srtp_policy_t`.
#ifndef CHORUS_CSRTP_SHIM_H
#define CHORUS_CSRTP_SHIM_H

#include <srtp2/srtp.h>

/// Spare bytes `srtp_protect`/`srtp_protect_rtcp` may write after the packet.
static const int chorus_srtp_max_trailer_len = SRTP_MAX_TRAILER_LEN;

/// AES_CM_128_HMAC_SHA1_80 (RFC 4568) for SRTP and SRTCP.
static inline void chorus_srtp_policy_set_aes_cm_128_hmac_sha1_80(srtp_policy_t *p) {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
}

/// AES_CM_128_HMAC_SHA1_32 (RFC 4568): 32-bit tag for SRTP; SRTCP keeps the 80-bit tag
/// (RFC 4568 §6.2.1 says the SRTCP tag stays 80 bits).
static inline void chorus_srtp_policy_set_aes_cm_128_hmac_sha1_32(srtp_policy_t *p) {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p->rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
}

/// AEAD_AES_128_GCM (RFC 7714), 16-byte tag, for SRTP and SRTCP.
static inline void chorus_srtp_policy_set_aead_aes_128_gcm(srtp_policy_t *p) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
}

/// AEAD_AES_256_GCM (RFC 7714), 16-byte tag, for SRTP and SRTCP.
static inline void chorus_srtp_policy_set_aead_aes_256_gcm(srtp_policy_t *p) {
    srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtp);
    srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtcp);
}

#endif
