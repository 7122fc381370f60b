#ifndef CHORUS_CSPEEXDSP_SHIM_H
#define CHORUS_CSPEEXDSP_SHIM_H
// Debian's libspeexdsp-dev: the resampler between G.711's 8 kHz and the mixer's 48 kHz.
#include <speex/speex_resampler.h>
#endif
