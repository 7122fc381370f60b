// ChorusMixer: the N-1 conference mixer. Pure DSP on 48 kHz mono Int16 frames; no sockets, no clocks.
