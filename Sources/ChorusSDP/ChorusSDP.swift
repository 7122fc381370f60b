// ChorusSDP: SDP (RFC 8866) parsing and serialization and RFC 3264 offer/answer for one audio stream.
