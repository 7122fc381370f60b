// libsrtp2's AES_ICM_128 cipher and HMAC_SHA1 authenticator, on OpenSSL (see the header for why).
//
// The interfaces are those of <srtp2/cipher.h> and <srtp2/auth.h>: libsrtp2 allocates one cipher
// or authenticator per key (per session, and one for its key derivation), initialises it with the
// key once, then per packet sets the IV (cipher) or starts over (authenticator). Each of ours owns
// one OpenSSL context made at allocation, so a packet costs a context reset, not a set-up.
#include "chorus_srtp_openssl.h"

#include <srtp2/auth.h>
#include <srtp2/cipher.h>
#include <srtp2/srtp.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdlib.h>
#include <string.h>

// MARK: - AES-128 in integer counter mode (RFC 3711 §4.1.1)

// The counter block is the session salt (14 bytes, then two zero bytes for the block counter)
// XORed with the IV libsrtp2 passes per packet (SSRC and packet index). OpenSSL's CTR mode counts
// the whole block big-endian; ICM counts only the low 16 bits. The two agree below 2^16 blocks
// (1 MiB) per IV, far above any packet or derived key.
typedef struct {
    EVP_CIPHER_CTX *context;
    uint8_t offset[16];  // salt || 0x0000
} chorus_aes_icm_state;

static const srtp_cipher_type_t chorus_aes_icm_128;

static srtp_err_status_t chorus_aes_icm_alloc(srtp_cipher_pointer_t *pointer, int key_length, int tag_length) {
    (void)tag_length;
    // libsrtp2 passes the master key and salt together.
    if (key_length != SRTP_AES_ICM_128_KEY_LEN_WSALT) return srtp_err_status_bad_param;
    srtp_cipher_t *cipher = calloc(1, sizeof(srtp_cipher_t));
    chorus_aes_icm_state *state = calloc(1, sizeof(chorus_aes_icm_state));
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    if (cipher == NULL || state == NULL || context == NULL) {
        free(cipher);
        free(state);
        EVP_CIPHER_CTX_free(context);
        return srtp_err_status_alloc_fail;
    }
    state->context = context;
    cipher->type = &chorus_aes_icm_128;
    cipher->state = state;
    cipher->key_len = key_length;
    cipher->algorithm = SRTP_AES_ICM_128;
    *pointer = cipher;
    return srtp_err_status_ok;
}

static srtp_err_status_t chorus_aes_icm_dealloc(srtp_cipher_pointer_t cipher) {
    if (cipher == NULL) return srtp_err_status_bad_param;
    chorus_aes_icm_state *state = cipher->state;
    if (state != NULL) {
        EVP_CIPHER_CTX_free(state->context);  // clears OpenSSL's copy of the key schedule
        OPENSSL_cleanse(state, sizeof(*state));
        free(state);
    }
    OPENSSL_cleanse(cipher, sizeof(*cipher));
    free(cipher);
    return srtp_err_status_ok;
}

static srtp_err_status_t chorus_aes_icm_init(void *opaque, const uint8_t *key) {
    chorus_aes_icm_state *state = opaque;
    memcpy(state->offset, key + SRTP_AES_128_KEY_LEN, SRTP_SALT_LEN);
    state->offset[14] = 0;
    state->offset[15] = 0;
    if (EVP_EncryptInit_ex(state->context, EVP_aes_128_ctr(), NULL, key, NULL) != 1) return srtp_err_status_init_fail;
    return srtp_err_status_ok;
}

static srtp_err_status_t chorus_aes_icm_set_iv(void *opaque, uint8_t *iv, srtp_cipher_direction_t direction) {
    (void)direction;  // counter mode: the same keystream either way
    chorus_aes_icm_state *state = opaque;
    uint8_t counter[16];
    for (int index = 0; index < 16; index++) counter[index] = state->offset[index] ^ iv[index];
    // A new IV also restarts the keystream at its first byte.
    if (EVP_EncryptInit_ex(state->context, NULL, NULL, NULL, counter) != 1) return srtp_err_status_cipher_fail;
    return srtp_err_status_ok;
}

static srtp_err_status_t chorus_aes_icm_encrypt(void *opaque, uint8_t *buffer, unsigned int *length) {
    chorus_aes_icm_state *state = opaque;
    int written = 0;
    if (*length > INT32_MAX) return srtp_err_status_bad_param;
    if (EVP_EncryptUpdate(state->context, buffer, &written, buffer, (int)*length) != 1 || written != (int)*length)
        return srtp_err_status_cipher_fail;
    return srtp_err_status_ok;
}

// RFC 3711 appendix B.2: the keystream of the first two blocks for a zero IV.
static const uint8_t chorus_aes_icm_test_key[SRTP_AES_ICM_128_KEY_LEN_WSALT] = {
    0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
    0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd,
};
static uint8_t chorus_aes_icm_test_iv[16] = {0};
static const uint8_t chorus_aes_icm_test_plaintext[32] = {0};
static const uint8_t chorus_aes_icm_test_ciphertext[32] = {
    0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80, 0xe1, 0x66, 0xb1, 0x6d, 0xd9, 0x2b, 0x4e, 0xb4,
    0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02, 0xd0, 0xf7, 0x2a, 0x43, 0xa2, 0xfe, 0x4a, 0x5f, 0x97, 0xab,
};
static const srtp_cipher_test_case_t chorus_aes_icm_test = {
    .key_length_octets = SRTP_AES_ICM_128_KEY_LEN_WSALT,
    .key = chorus_aes_icm_test_key,
    .idx = chorus_aes_icm_test_iv,
    .plaintext_length_octets = sizeof(chorus_aes_icm_test_plaintext),
    .plaintext = chorus_aes_icm_test_plaintext,
    .ciphertext_length_octets = sizeof(chorus_aes_icm_test_ciphertext),
    .ciphertext = chorus_aes_icm_test_ciphertext,
    .aad_length_octets = 0,
    .aad = NULL,
    .tag_length_octets = 0,
    .next_test_case = NULL,
};

static const srtp_cipher_type_t chorus_aes_icm_128 = {
    .alloc = chorus_aes_icm_alloc,
    .dealloc = chorus_aes_icm_dealloc,
    .init = chorus_aes_icm_init,
    .set_aad = NULL,
    .encrypt = chorus_aes_icm_encrypt,
    .decrypt = chorus_aes_icm_encrypt,
    .set_iv = chorus_aes_icm_set_iv,
    .get_tag = NULL,
    .description = "AES-128 integer counter mode (OpenSSL, Chorus)",
    .test_data = &chorus_aes_icm_test,
    .id = SRTP_AES_ICM_128,
};

// MARK: - HMAC-SHA1 (RFC 2104), truncated to the tag length

enum { chorus_sha1_length = 20 };

// Fetched once by chorus_srtp_use_openssl_hmac; OpenSSL's algorithm objects may be shared by threads.
static EVP_MAC *chorus_hmac_algorithm;

typedef struct {
    EVP_MAC_CTX *context;
} chorus_hmac_state;

static const srtp_auth_type_t chorus_hmac_sha1;

static srtp_err_status_t chorus_hmac_alloc(srtp_auth_pointer_t *pointer, int key_length, int tag_length) {
    if (key_length < 0 || key_length > chorus_sha1_length) return srtp_err_status_bad_param;
    if (tag_length < 0 || tag_length > chorus_sha1_length) return srtp_err_status_bad_param;
    srtp_auth_t *auth = calloc(1, sizeof(srtp_auth_t));
    chorus_hmac_state *state = calloc(1, sizeof(chorus_hmac_state));
    EVP_MAC_CTX *context = chorus_hmac_algorithm == NULL ? NULL : EVP_MAC_CTX_new(chorus_hmac_algorithm);
    if (auth == NULL || state == NULL || context == NULL) {
        free(auth);
        free(state);
        EVP_MAC_CTX_free(context);
        return srtp_err_status_alloc_fail;
    }
    state->context = context;
    auth->type = &chorus_hmac_sha1;
    auth->state = state;
    auth->out_len = tag_length;
    auth->key_len = key_length;
    auth->prefix_len = 0;
    *pointer = auth;
    return srtp_err_status_ok;
}

static srtp_err_status_t chorus_hmac_dealloc(srtp_auth_pointer_t auth) {
    if (auth == NULL) return srtp_err_status_bad_param;
    chorus_hmac_state *state = auth->state;
    if (state != NULL) {
        EVP_MAC_CTX_free(state->context);  // clears OpenSSL's copy of the key
        free(state);
    }
    OPENSSL_cleanse(auth, sizeof(*auth));
    free(auth);
    return srtp_err_status_ok;
}

static srtp_err_status_t chorus_hmac_init(void *opaque, const uint8_t *key, int key_length) {
    chorus_hmac_state *state = opaque;
    OSSL_PARAM parameters[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA1", 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_init(state->context, key, (size_t)key_length, parameters) != 1) return srtp_err_status_init_fail;
    return srtp_err_status_ok;
}

static srtp_err_status_t chorus_hmac_start(void *opaque) {
    chorus_hmac_state *state = opaque;
    // No key: OpenSSL starts over from the key set by init (its inner pad, already hashed).
    if (EVP_MAC_init(state->context, NULL, 0, NULL) != 1) return srtp_err_status_auth_fail;
    return srtp_err_status_ok;
}

static srtp_err_status_t chorus_hmac_update(void *opaque, const uint8_t *buffer, int length) {
    chorus_hmac_state *state = opaque;
    if (length < 0) return srtp_err_status_bad_param;
    if (EVP_MAC_update(state->context, buffer, (size_t)length) != 1) return srtp_err_status_auth_fail;
    return srtp_err_status_ok;
}

static srtp_err_status_t chorus_hmac_compute(
    void *opaque, const uint8_t *buffer, int length, int tag_length, uint8_t *tag) {
    chorus_hmac_state *state = opaque;
    if (tag_length < 0 || tag_length > chorus_sha1_length) return srtp_err_status_bad_param;
    srtp_err_status_t status = chorus_hmac_update(opaque, buffer, length);
    if (status != srtp_err_status_ok) return status;
    uint8_t digest[chorus_sha1_length];
    size_t digest_length = 0;
    if (EVP_MAC_final(state->context, digest, &digest_length, sizeof(digest)) != 1 || digest_length != sizeof(digest))
        return srtp_err_status_auth_fail;
    memcpy(tag, digest, (size_t)tag_length);
    OPENSSL_cleanse(digest, sizeof(digest));
    return srtp_err_status_ok;
}

// RFC 2202 test cases 1 and 2.
static const uint8_t chorus_hmac_test_key_1[20] = {
    0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
    0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
};
static const uint8_t chorus_hmac_test_data_1[8] = {'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e'};
static const uint8_t chorus_hmac_test_tag_1[20] = {
    0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
    0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00,
};
static const uint8_t chorus_hmac_test_key_2[4] = {'J', 'e', 'f', 'e'};
static const uint8_t chorus_hmac_test_data_2[28] = {
    'w', 'h', 'a', 't', ' ', 'd', 'o', ' ', 'y', 'a', ' ', 'w', 'a', 'n',
    't', ' ', 'f', 'o', 'r', ' ', 'n', 'o', 't', 'h', 'i', 'n', 'g', '?',
};
static const uint8_t chorus_hmac_test_tag_2[20] = {
    0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74,
    0x16, 0xd5, 0xf1, 0x84, 0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79,
};
static const srtp_auth_test_case_t chorus_hmac_test_2 = {
    .key_length_octets = sizeof(chorus_hmac_test_key_2),
    .key = chorus_hmac_test_key_2,
    .data_length_octets = sizeof(chorus_hmac_test_data_2),
    .data = chorus_hmac_test_data_2,
    .tag_length_octets = sizeof(chorus_hmac_test_tag_2),
    .tag = chorus_hmac_test_tag_2,
    .next_test_case = NULL,
};
static const srtp_auth_test_case_t chorus_hmac_test_1 = {
    .key_length_octets = sizeof(chorus_hmac_test_key_1),
    .key = chorus_hmac_test_key_1,
    .data_length_octets = sizeof(chorus_hmac_test_data_1),
    .data = chorus_hmac_test_data_1,
    .tag_length_octets = sizeof(chorus_hmac_test_tag_1),
    .tag = chorus_hmac_test_tag_1,
    .next_test_case = &chorus_hmac_test_2,
};

static const srtp_auth_type_t chorus_hmac_sha1 = {
    .alloc = chorus_hmac_alloc,
    .dealloc = chorus_hmac_dealloc,
    .init = chorus_hmac_init,
    .compute = chorus_hmac_compute,
    .update = chorus_hmac_update,
    .start = chorus_hmac_start,
    .description = "HMAC-SHA1 (OpenSSL, Chorus)",
    .test_data = &chorus_hmac_test_1,
    .id = SRTP_HMAC_SHA1,
};

// MARK: - Installing them

// Each replacement runs libsrtp2's known-answer tests for the type, then ours, before the swap.
int chorus_srtp_use_openssl_cipher(void) {
    return (int)srtp_replace_cipher_type(&chorus_aes_icm_128, SRTP_AES_ICM_128);
}

int chorus_srtp_use_openssl_hmac(void) {
    if (chorus_hmac_algorithm == NULL) chorus_hmac_algorithm = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (chorus_hmac_algorithm == NULL) return -1;
    return (int)srtp_replace_auth_type(&chorus_hmac_sha1, SRTP_HMAC_SHA1);
}

const char *chorus_srtp_openssl_version(void) { return OpenSSL_version(OPENSSL_VERSION); }
