// COpusEnc: libopusenc (Ogg Opus files) for Swift.
//
// `ope_encoder_ctl` is variadic and its requests are macros, so each ctl Chorus needs gets a
// small non-variadic wrapper here; each returns the libopusenc/libopus error code (OPE_OK, 0,
// on success).
#ifndef CHORUS_COPUSENC_SHIM_H
#define CHORUS_COPUSENC_SHIM_H

#include <opus/opusenc.h>

static inline int chorus_ope_set_bitrate(OggOpusEnc *enc, opus_int32 v) {
    return ope_encoder_ctl(enc, OPUS_SET_BITRATE(v));
}
static inline int chorus_ope_set_complexity(OggOpusEnc *enc, opus_int32 v) {
    return ope_encoder_ctl(enc, OPUS_SET_COMPLEXITY(v));
}
static inline int chorus_ope_set_signal_voice(OggOpusEnc *enc) {
    return ope_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
}
// The longest audio (in 48 kHz samples) that may wait in the encoder before its Ogg page is
// written out: what a crash can lose.
static inline int chorus_ope_set_muxing_delay(OggOpusEnc *enc, opus_int32 v) {
    return ope_encoder_ctl(enc, OPE_SET_MUXING_DELAY(v));
}
// How far ahead (in 48 kHz samples) the encoder looks before it encodes: audio it holds back.
static inline int chorus_ope_set_decision_delay(OggOpusEnc *enc, opus_int32 v) {
    return ope_encoder_ctl(enc, OPE_SET_DECISION_DELAY(v));
}

#endif
