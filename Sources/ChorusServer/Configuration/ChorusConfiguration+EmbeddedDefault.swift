// KEEP IDENTICAL: the literal below must be byte for byte the same as Config/chorus.yaml.
// Edit both together (or regenerate this file from the YAML); ConfigurationTests checks that
// they are identical. The YAML is embedded rather than shipped as a SwiftPM resource so that the
// `chorus` binary needs no file at run time.

extension ChorusConfiguration {
    /// The default configuration and commented reference of every setting: `Config/chorus.yaml`.
    public static let embeddedDefaultYAML: String = #"""
# Chorus: default configuration and reference of every setting.
#
# KEEP IDENTICAL: this file is embedded byte for byte as the Swift string literal
# `ChorusConfiguration.embeddedDefaultYAML` in
# Sources/ChorusServer/Configuration/ChorusConfiguration+EmbeddedDefault.swift.
# Edit both together; ConfigurationTests fails when they differ.
#
# With no configuration file, `chorus` runs on exactly these values.
# A configuration file given to `chorus` (by command-line option or CHORUS_CONFIG)
# may be complete or partial: every key it omits keeps the value below. An empty
# file is valid.
# A list given in a file or variable replaces the default list; it is not appended to.
#
# Environment variables override the file. Each setting's variable is CHORUS_
# followed by its key path upper-cased with `.` turned into `_`, e.g.
#   sip.timers.t1_ms -> CHORUS_SIP_TIMERS_T1_MS
#   log.level        -> CHORUS_LOG_LEVEL
# Lists are comma-separated:
#   CHORUS_SIP_LISTEN=udp://0.0.0.0:5060,tcp://0.0.0.0:5060
# CHORUS_CONFIG is reserved (the path of the configuration file); any other
# unknown CHORUS_* variable is an error.
#
# Unknown keys, values of the wrong type (`t1_ms: "500"` is a string, not a
# number) and values out of range stop the server at start-up with the key path
# and its line and column; nothing falls back silently.

log:
  # Lowest level written: trace | debug | info | notice | warning | error | critical
  level: info

sip:
  # Where to accept SIP: transport://host[:port], one entry per socket.
  # Transports: udp, tcp, tls (SIP over TLS, sips:, see sip.tls). The port
  # defaults to 5060, 5061 for tls; port 0 takes any free port. Write IPv6
  # addresses in brackets: udp://[::1]:5060.
  listen:
    - udp://0.0.0.0:5060
    - tcp://0.0.0.0:5060
    - tls://0.0.0.0:5061

  # The host name or address put in Via/Contact when the listen address is a
  # wildcard (0.0.0.0 / ::). Empty: the address the request arrived on.
  # IPv6 may be written with or without brackets.
  public_host: ""

  # Value of the User-Agent and Server headers. Must not be empty.
  user_agent: Chorus

  # RFC 3261 transaction timers, in milliseconds (integers).
  timers:
    # Round-trip time estimate: first retransmit interval. 1 to 60000.
    t1_ms: 500
    # Longest retransmit interval for non-INVITE requests and INVITE responses.
    # At least t1_ms, at most 600000.
    t2_ms: 4000
    # Longest time a message may stay in the network. 1 to 600000.
    t4_ms: 5000

  limits:
    # Largest SIP message accepted (bytes), over any transport. 1024 to 16777216.
    max_message_bytes: 65535
    # Most header fields accepted in one message. 1 to 10000.
    max_headers: 256
    # TCP and TLS connections accepted from one IP address at once; more are
    # closed as soon as they open. 1 to 100000.
    max_connections_per_source: 32
    # TCP and TLS connections accepted at once in all. 1 to 1000000.
    max_connections: 4096
    # A TCP or TLS connection with no traffic this long is closed. 1 to 86400.
    idle_timeout_seconds: 600
    # An accepted connection must finish its TLS handshake and deliver its
    # first message within this long, and every message once begun must be
    # complete within this long; else it is closed (slow loris). 1 to 3600.
    message_timeout_seconds: 10

  # SIP over TLS (RFC 3261 section 26), for tls:// listeners and sips: URIs.
  tls:
    # PEM files: the certificate (then any intermediates) and its private key.
    # Both empty: Chorus makes a self-signed certificate on first start, keeps
    # it in storage.directory (tls-certificate.pem, tls-private-key.pem) and
    # logs its SHA-256 fingerprint, which clients can pin.
    certificate_file: ""
    private_key_file: ""
    # PEM certificates trusted when Chorus opens a TLS connection itself (to a
    # sips: URI). Empty: the system's trust roots. Peers are always verified.
    ca_file: ""

conference:
  # Rooms that always exist, whatever auto_create says. Each entry is the room id
  # (the user part people dial: sip:4200@host), optionally followed by
  # ;name=Display name and ;max=N (participants at most), e.g.
  #   rooms:
  #     - "4200;name=Weekly sync;max=20"
  #     - "4300"
  # In an environment variable: CHORUS_CONFERENCE_ROOMS=4200;max=20,4300
  rooms: []

  # Dialing a room that does not exist creates it; it is removed when the last
  # participant leaves. false: unknown rooms are answered 404.
  auto_create: true

  # Participants at most in a room that names no max. 2 to 10000.
  max_participants: 100

  # A short tone for everyone in the room when someone joins (rising) or leaves
  # (falling).
  join_tones: true

  # Keys a participant presses during the call (RFC 4733 or SIP INFO); Chorus
  # answers each with a short confirmation tone. 1 to 4 of 0-9 * # A-D.
  keypad:
    # Mute or unmute yourself.
    mute: "*6"
    # Lower or raise the volume of what you hear, in 3 dB steps.
    volume_down: "*4"
    volume_up: "*7"

  # The loudest this many talkers are mixed at once; a louder voice takes the
  # place of the quietest. Bounds the work when many talk together. 1 to 64.
  max_mixed_speakers: 8

  # When exactly two people talk, each hears only the other: send each the
  # other's packets as they came (no decoding and re-encoding for them, so better
  # audio for less CPU). Each switch between such a stream and a mixed one moves
  # the audio by the Opus look-ahead (6.5 ms) once. false: always mix.
  forward_two_talkers: true

  # Conference event subscriptions (SUBSCRIBE to a room with Event: conference)
  # held at once. One more to a room than max_per_room is answered 503 with
  # Retry-After; one more from a subscriber (the same From address from the same
  # IP address, over all rooms) than max_per_subscriber is answered 403.
  # Refreshes and fetches (Expires: 0) are never refused by these.
  subscriptions:
    # 1 to 100000.
    max_per_room: 200
    # 1 to 10000.
    max_per_subscriber: 20

media:
  # The address put in SDP (c=) for RTP, e.g. the public address of a host behind
  # NAT. Empty: the local address Chorus uses toward each caller.
  public_address: ""

  # UDP ports for media: RTP on even ports, RTCP on the next odd one (unless the
  # phone offers rtcp-mux). Each call takes one pair. port_min must be even.
  port_min: 20000
  port_max: 29999

  # SRTP with SDES keys (RFC 4568):
  #   optional  encrypt when the phone offers RTP/SAVP or a=crypto (default)
  #   required  answer plain RTP/AVP offers with 488
  #   off       never encrypt; answer RTP/SAVP offers with 488
  srtp: optional

  # A participant who should be sending but from whom no RTP or RTCP arrives for
  # this long is hung up with BYE. Held (sendonly/inactive) calls are exempt. 5 to 3600.
  inactivity_timeout_seconds: 30

  opus:
    # Bits per second Chorus encodes at, lowered to each receiver's
    # maxaveragebitrate. 6000 to 510000.
    bitrate: 32000
    # Encoder complexity, 0 (cheapest) to 10 (best).
    complexity: 5

  # Every this many seconds each running room logs a media report at info level:
  # ticks and their lateness, frames decoded and left undecoded, encodes, and the
  # delay the room adds. 0: never. 0 to 86400.
  report_interval_seconds: 60

  # A room runs on one media thread (one per core). A room with more participants
  # than this also spreads its participants' media (receiving, decoding, sending)
  # over every thread, so that one large room can use every core; smaller rooms
  # keep everything on their own thread, which costs less. 0 to 100000.
  spread_rooms_larger_than: 50

  # A room's ticks move earlier, a few milliseconds at a time, until its talkers'
  # packets come due just before a tick instead of up to 20 ms before it: less
  # delay (the listeners' packets leave a little earlier, once). false: each room
  # keeps the phase it started with.
  align_ticks_to_talkers: true

commands:
  # Rooms are managed by SIP MESSAGE (text/plain, one command each; see the
  # README). A MESSAGE to sip:CONTROL_USER@host runs server-wide commands; one to
  # sip:ROOM@host commands for that room.
  control_user: chorus

  # Digest realm of Chorus's 401 challenges.
  realm: chorus

  # Who may authenticate: NAME:PASSWORD, or NAME;ha1=HEX with the MD5 of
  # NAME:REALM:PASSWORD (and/or ;ha1_sha256=HEX) so that no password sits in the
  # file. Owners of a room are users too: an owner URI's user part names a user.
  # Empty: nobody can run commands except participants for themselves.
  #   users:
  #     - "alice:correct horse battery staple"
  #     - "bob;ha1=5f2b...e1"
  users: []

  # Users (from the list above) who may run every command, for every room.
  admins: []

  # Failed authentications one source address may have per minute (a token
  # bucket: it refills at this many per minute); once they are used up its
  # commands get what security.over_limit says. 1 to 10000.
  max_failures_per_minute: 10

  # Digest algorithms offered, one challenge each, most preferred first
  # (RFC 8760): sha256, md5. Some clients (libre-based ones such as baresip
  # 1.0) give up when any challenge names SHA-256: list only md5 for them.
  digest_algorithms: [sha256, md5]

security:
  # New requests (transactions; retransmissions and ACKs do not count, garbage
  # does) from one source address: a token bucket refilled at
  # requests_per_second, holding at most request_burst. Behind a proxy every
  # request comes from the proxy: size these for its load. 1 to 1000000 each.
  requests_per_second: 20
  request_burst: 100

  # What a source over its rate gets, and a source over
  # commands.max_failures_per_minute:
  #   reject  503 with Retry-After (default), for as many requests again as the
  #           burst; beyond that nothing it sends is parsed until it slows down
  #   drop    no answer at all (cheapest under a flood)
  over_limit: reject

  # Calls in progress from one source address, and in all; more are answered
  # 503 with Retry-After. 1 to 100000 / 1 to 1000000.
  max_calls_per_source: 20
  max_calls: 1000

  # When SDES keys (a=crypto) may go into SDP. Anyone who reads the SDP can
  # decrypt the call, so over plain UDP/TCP signalling SRTP only keeps out those
  # who see the media but not the signalling.
  #   auto      tls-only when media.srtp is required, else always (default)
  #   tls-only  only in calls whose signalling came over TLS; elsewhere SRTP
  #             offers get 488 (and, with media.srtp required, so does all else)
  #   always    over any transport
  sdes: auto

  # RTP and RTCP packets one participant may send per second (a 20 ms stream
  # is 50, a 10 ms one 100); the rest are dropped before they are decrypted or
  # decoded, so a flooding participant costs the room nothing. 10 to 100000.
  rtp_packets_per_second: 150

storage:
  # Where the room database lives (rooms created by MESSAGE, their PINs, owners
  # and settings survive restarts there). Relative to the working directory
  # unless absolute; created if missing. The container uses /var/lib/chorus.
  directory: chorus-data

shutdown:
  # How long to wait for BYE answers at shutdown, in whole seconds. 0 to 3600.
  grace_seconds: 5

dialout:
  # Where Chorus may call people (the invite command, and a REFER that adds
  # someone; move only asks phones to call Chorus's own rooms): host names, IP
  # addresses, or domains, which also allow every host below them (example.com
  # allows sip.example.com). A REFER naming any other host gets 403, an invite
  # an error. Empty: anywhere, which lets every participant make Chorus call any
  # address: list your domains in production.
  allowed_domains: []

recording:
  # Rooms recorded whenever they run, from their first participant to their
  # last, e.g. ["4200"]; "*" records every room. Any room can also be recorded
  # with the command `record ROOM start`. Recordings are Ogg Opus files of the
  # room's mix in STORAGE_DIRECTORY/recordings/ROOM/ROOM-YYYYMMDDTHHMMSSZ.opus.
  rooms: []

  # Opus bits per second of recordings (mono, 48 kHz). 6000 to 510000.
  bitrate: 32000

  # Recordings kept per room; when a new one starts the oldest go. 0 keeps all.
  max_per_room: 100

  # Recordings older than this many days are deleted when a recording starts
  # and at start-up. 0 keeps them however old.
  retention_days: 0

"""#
}
