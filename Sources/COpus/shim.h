// COpus: libopus for Swift.
//
// `opus_encoder_ctl` and `opus_decoder_ctl` are variadic and the `OPUS_SET_*`/`OPUS_GET_*`
// requests are macros, so Swift cannot call them. Each ctl Chorus needs gets a small
// non-variadic `static inline` wrapper here; every wrapper returns the libopus error code
// (OPUS_OK on success).
#ifndef CHORUS_COPUS_SHIM_H
#define CHORUS_COPUS_SHIM_H

#include <opus/opus.h>

// MARK: Encoder setters

static inline int chorus_opus_encoder_set_bitrate(OpusEncoder *st, opus_int32 v) {
    return opus_encoder_ctl(st, OPUS_SET_BITRATE(v));
}
static inline int chorus_opus_encoder_set_complexity(OpusEncoder *st, opus_int32 v) {
    return opus_encoder_ctl(st, OPUS_SET_COMPLEXITY(v));
}
static inline int chorus_opus_encoder_set_inband_fec(OpusEncoder *st, opus_int32 v) {
    return opus_encoder_ctl(st, OPUS_SET_INBAND_FEC(v));
}
static inline int chorus_opus_encoder_set_packet_loss_perc(OpusEncoder *st, opus_int32 v) {
    return opus_encoder_ctl(st, OPUS_SET_PACKET_LOSS_PERC(v));
}
static inline int chorus_opus_encoder_set_dtx(OpusEncoder *st, opus_int32 v) {
    return opus_encoder_ctl(st, OPUS_SET_DTX(v));
}
static inline int chorus_opus_encoder_set_signal(OpusEncoder *st, opus_int32 v) {
    return opus_encoder_ctl(st, OPUS_SET_SIGNAL(v));
}
static inline int chorus_opus_encoder_set_max_bandwidth(OpusEncoder *st, opus_int32 v) {
    return opus_encoder_ctl(st, OPUS_SET_MAX_BANDWIDTH(v));
}
static inline int chorus_opus_encoder_set_application(OpusEncoder *st, opus_int32 v) {
    return opus_encoder_ctl(st, OPUS_SET_APPLICATION(v));
}

// MARK: Encoder getters

static inline int chorus_opus_encoder_get_bitrate(OpusEncoder *st, opus_int32 *v) {
    return opus_encoder_ctl(st, OPUS_GET_BITRATE(v));
}
static inline int chorus_opus_encoder_get_complexity(OpusEncoder *st, opus_int32 *v) {
    return opus_encoder_ctl(st, OPUS_GET_COMPLEXITY(v));
}
static inline int chorus_opus_encoder_get_inband_fec(OpusEncoder *st, opus_int32 *v) {
    return opus_encoder_ctl(st, OPUS_GET_INBAND_FEC(v));
}
static inline int chorus_opus_encoder_get_packet_loss_perc(OpusEncoder *st, opus_int32 *v) {
    return opus_encoder_ctl(st, OPUS_GET_PACKET_LOSS_PERC(v));
}
static inline int chorus_opus_encoder_get_dtx(OpusEncoder *st, opus_int32 *v) {
    return opus_encoder_ctl(st, OPUS_GET_DTX(v));
}
static inline int chorus_opus_encoder_get_signal(OpusEncoder *st, opus_int32 *v) {
    return opus_encoder_ctl(st, OPUS_GET_SIGNAL(v));
}
static inline int chorus_opus_encoder_get_max_bandwidth(OpusEncoder *st, opus_int32 *v) {
    return opus_encoder_ctl(st, OPUS_GET_MAX_BANDWIDTH(v));
}
static inline int chorus_opus_encoder_get_application(OpusEncoder *st, opus_int32 *v) {
    return opus_encoder_ctl(st, OPUS_GET_APPLICATION(v));
}
static inline int chorus_opus_encoder_get_lookahead(OpusEncoder *st, opus_int32 *v) {
    return opus_encoder_ctl(st, OPUS_GET_LOOKAHEAD(v));
}

static inline int chorus_opus_encoder_set_prediction_disabled(OpusEncoder *st, opus_int32 v) {
    return opus_encoder_ctl(st, OPUS_SET_PREDICTION_DISABLED(v));
}
static inline int chorus_opus_encoder_reset_state(OpusEncoder *st) {
    return opus_encoder_ctl(st, OPUS_RESET_STATE);
}

// MARK: Decoder

static inline int chorus_opus_decoder_get_last_packet_duration(OpusDecoder *st, opus_int32 *v) {
    return opus_decoder_ctl(st, OPUS_GET_LAST_PACKET_DURATION(v));
}
static inline int chorus_opus_decoder_reset_state(OpusDecoder *st) {
    return opus_decoder_ctl(st, OPUS_RESET_STATE);
}

#endif
