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
  # Transports: udp, tcp (tls is not supported yet). The port defaults to 5060;
  # port 0 takes any free port. Write IPv6 addresses in brackets: udp://[::1]:5060.
  listen:
    - udp://0.0.0.0:5060
    - tcp://0.0.0.0:5060

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

  # Failed authentications from one source address in a minute before that
  # address is refused (403) for the rest of the minute. 1 to 10000.
  max_failures_per_minute: 10

  # Digest algorithms offered, one challenge each, most preferred first
  # (RFC 8760): sha256, md5. Some clients (libre-based ones such as baresip
  # 1.0) give up when any challenge names SHA-256: list only md5 for them.
  digest_algorithms: [sha256, md5]

storage:
  # Where the room database lives (rooms created by MESSAGE, their PINs, owners
  # and settings survive restarts there). Relative to the working directory
  # unless absolute; created if missing. The container uses /var/lib/chorus.
  directory: chorus-data

shutdown:
  # How long to wait for BYE answers at shutdown, in whole seconds. 0 to 3600.
  grace_seconds: 5

"""#
}
