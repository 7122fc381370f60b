// ChorusSDP: SDP (RFC 8866) parsing and serialization and RFC 3264 offer/answer for one audio stream.
//
// The layers, from the bottom up:
//   - the model (`SessionDescription`, `MediaDescription` and the small values of their lines),
//   - the parser (`SessionDescription(parsing:)`) and the serializer (`serialized()`),
//   - typed views of the attributes an audio stream needs (`rtpMap(for:)`, `cryptos`, ...),
//   - `OfferAnswer`, which answers an offer, makes offers and accepts answers.
