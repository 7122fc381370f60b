#ifndef CHORUS_CSPANDSP_SHIM_H
#define CHORUS_CSPANDSP_SHIM_H
// Debian's libspandsp-dev: G.711 (A-law, mu-law) and its packet loss concealment.
#include <stdint.h>
#include <spandsp/telephony.h>
// g711.h calls top_bit() without including its header; without it the call links against nothing.
#include <spandsp/bit_operations.h>
#include <spandsp/g711.h>
#include <spandsp/plc.h>
#endif
