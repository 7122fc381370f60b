// swift-tools-version: 6.1
//
// Chorus: a SIP audio conference server (MCU).
//
// One target per layer, each with its own test target. The folder tree follows the call flow:
//   ChorusSIP (messages → transactions → dialogs → transports)
//   ChorusSDP (offer/answer), ChorusRTP (RTP/RTCP/SRTP, jitter buffer), ChorusMixer (pure DSP)
//   ChorusCodecs (libopus through COpus; G.711 and PLC through CSpanDSP; resampling through CSpeexDSP;
//   Ogg Opus recordings through COpusEnc)
//   ChorusConference (rooms, participants, media legs: where RTP meets the mixer)
//   ChorusServer (configuration and wiring) → `chorus` (the executable)
// C libraries enter only through the small system-library targets COpus, CSRTP, CSpeexDSP, CSpanDSP, COpusEnc,
// and the C shims CSRTPOpenSSL (libsrtp2's ciphers on OpenSSL) and CMediaSocket (epoll and recvmmsg for the
// media sockets, which Swift's Glibc module does not export).
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Chorus",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "chorus", targets: ["chorus"]),
        .executable(name: "chorus-load", targets: ["chorus-load"]),
        .library(name: "ChorusSIP", targets: ["ChorusSIP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        // SIP over TLS, and the self-signed certificate made on first start when none is configured.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        // MARK: C libraries (Debian's libopus-dev, libsrtp2-dev, ..., found by pkg-config)
        .systemLibrary(
            name: "COpus", pkgConfig: "opus",
            providers: [.apt(["libopus-dev"])]),
        .systemLibrary(
            name: "CSRTP", pkgConfig: "libsrtp2",
            providers: [.apt(["libsrtp2-dev"])]),
        .systemLibrary(
            name: "CSpeexDSP", pkgConfig: "speexdsp",
            providers: [.apt(["libspeexdsp-dev"])]),
        .systemLibrary(
            name: "CSpanDSP", pkgConfig: "spandsp",
            providers: [.apt(["libspandsp-dev"])]),
        .systemLibrary(
            name: "COpusEnc", pkgConfig: "libopusenc",
            providers: [.apt(["libopusenc-dev"])]),
        // libsrtp2's AES-CM and HMAC-SHA1 on OpenSSL's libcrypto (Debian's libssl-dev; its pkg-config
        // `libcrypto` is just -lcrypto) in place of NSS, which is ten times slower per packet.
        .target(
            name: "CSRTPOpenSSL",
            dependencies: ["CSRTP"],
            linkerSettings: [.linkedLibrary("crypto")]),

        // MARK: Rate limits: token buckets, per key (source address) and per media leg (pure)
        .target(
            name: "ChorusRateLimit",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ChorusRateLimitTests",
            dependencies: ["ChorusRateLimit", "ChorusRTP"],
            swiftSettings: swiftSettings),

        // MARK: SIP: messages, parser, transactions, dialogs, transports, digest auth
        .target(
            name: "ChorusSIP",
            dependencies: [
                "ChorusRateLimit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ChorusSIPTests",
            dependencies: [
                "ChorusSIP",
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings),

        // MARK: SDP: session descriptions and RFC 3264 offer/answer (pure Swift)
        .target(
            name: "ChorusSDP",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ChorusSDPTests",
            dependencies: ["ChorusSDP"],
            swiftSettings: swiftSettings),

        // MARK: Mixer: N-1 mixing, limiter, talk detection (pure DSP, no I/O)
        .target(
            name: "ChorusMixer",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ChorusMixerTests",
            dependencies: ["ChorusMixer"],
            swiftSettings: swiftSettings),

        // MARK: Codecs: Opus (libopus), G.711 and its concealment (spandsp), resampling (speexdsp)
        .target(
            name: "ChorusCodecs",
            dependencies: ["COpus", "CSpeexDSP", "CSpanDSP", "COpusEnc"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ChorusCodecsTests",
            dependencies: ["ChorusCodecs", "ChorusMixer"],
            swiftSettings: swiftSettings),

        // MARK: RTP: SRTP through libsrtp2
        .target(
            name: "ChorusRTP",
            dependencies: ["CSRTP", "CSRTPOpenSSL", "ChorusRateLimit"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ChorusRTPTests",
            dependencies: ["ChorusRTP"],
            swiftSettings: swiftSettings),

        // MARK: Conference: rooms, participants, media legs and the mixer clock
        // The media sockets' batched, non-blocking reads (epoll, recvmmsg with arrival times).
        .target(name: "CMediaSocket"),
        .target(
            name: "ChorusConference",
            dependencies: [
                "CMediaSocket",
                "ChorusRTP",
                "ChorusCodecs",
                "ChorusMixer",
                "ChorusSDP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ChorusConferenceTests",
            dependencies: [
                "ChorusConference",
                "CMediaSocket",
                "ChorusRTP",
                "ChorusCodecs",
                "ChorusMixer",
                "ChorusTestSupport",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),

        // MARK: Server: configuration, and the wiring of every layer into one process
        .target(
            name: "ChorusServer",
            dependencies: [
                "ChorusSIP",
                "ChorusSDP",
                "ChorusRTP",
                "ChorusCodecs",
                "ChorusMixer",
                "ChorusConference",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ChorusServerTests",
            dependencies: [
                "ChorusServer", "ChorusSIP", "ChorusMixer", "ChorusTestSupport",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings),

        // MARK: Tests shared by the test targets: the server on loopback, raw SIP clients, child processes, baresip
        .target(
            name: "ChorusTestSupport",
            dependencies: [
                "ChorusServer", "ChorusSIP", "ChorusRTP", "ChorusCodecs", "ChorusMixer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/ChorusTestSupport",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ChorusInteropTests",
            dependencies: ["ChorusTestSupport", "ChorusServer", "ChorusSIP"],
            swiftSettings: swiftSettings),

        // MARK: The executable
        .executableTarget(
            name: "chorus",
            dependencies: [
                "ChorusServer",
                "ChorusSIP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings),

        // MARK: Fuzzing: the harnesses (a library, so the tests replay the seed corpora) and the libFuzzer executable
        .target(
            name: "ChorusFuzzing",
            dependencies: [
                "ChorusSIP", "ChorusSDP", "ChorusRTP", "ChorusConference",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ChorusFuzzingTests",
            dependencies: ["ChorusFuzzing"],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "chorus-fuzz",
            dependencies: ["ChorusFuzzing"],
            path: "Fuzz/chorus-fuzz",
            swiftSettings: swiftSettings),

        // MARK: Benchmarks (executables; never part of `swift test`)
        .executableTarget(
            name: "chorus-bench",
            dependencies: ["ChorusSIP", "ChorusRTP"],
            path: "Benchmarks/chorus-bench",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "chorus-media-bench",
            dependencies: [
                "ChorusConference", "ChorusRTP", "ChorusCodecs",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/chorus-media-bench",
            swiftSettings: swiftSettings),
        // The load generator operators run against a live Chorus (see "Load testing" in the README).
        .executableTarget(
            name: "chorus-load",
            dependencies: [
                "ChorusSIP", "ChorusSDP", "ChorusRTP", "ChorusCodecs", "ChorusMixer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/chorus-load",
            swiftSettings: swiftSettings),
    ]
)
