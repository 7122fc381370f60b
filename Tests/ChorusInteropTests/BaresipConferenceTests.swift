import ChorusServer
import ChorusTestSupport
import Foundation
import XCTest

/// Three real baresip clients (Debian's, nobody here wrote them) in one Chorus room: each plays a
/// tone from a WAV file and records what it hears; the recordings are checked by spectrum.
final class BaresipConferenceTests: XCTestCase {
    static let tones = ConferenceAudioCheck.tones

    private struct Participant {
        let baresip: Baresip
        let recordings: URL
        let tone: Double
    }

    private func startParticipant(index: Int, tone: Double, accountParameters: String, directory: URL) throws -> Participant {
        let wav = directory.appendingPathComponent("tone-\(Int(tone)).wav")
        // 30 s, longer than any call here: baresip hangs up when its source file ends. aufile
        // wants the codec's channel count: Opus is opus/48000/2, G.711 mono.
        // and its rate.
        let isOpus = accountParameters.contains("opus")
        let rate = isOpus ? 48_000 : 8_000
        try WAVFile.write(
            AudioAnalysis.tone(tone, samples: rate * 30, amplitude: 0.25, sampleRate: Double(rate)), sampleRate: rate,
            channels: isOpus ? 2 : 1, to: wav)
        let recordings = directory.appendingPathComponent("recordings-\(index)")
        try FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true)
        let baresip = try Baresip(
            account: "<sip:user\(index)@127.0.0.1>\(accountParameters)",
            modules: ["opus", "g711", "srtp", "aufile", "sndfile"],
            settings: ["audio_source aufile,\(wav.path)", "snd_path \(recordings.path)"])
        return Participant(baresip: baresip, recordings: recordings, tone: tone)
    }

    /// The decoded (heard) audio baresip's sndfile module dumped.
    private func heardAudio(_ participant: Participant) throws -> (samples: [Int16], sampleRate: Int) {
        let files = try FileManager.default.contentsOfDirectory(atPath: participant.recordings.path)
        guard let decoded = files.first(where: { $0.hasSuffix("-dec.wav") }) else {
            throw XCTSkip("no decoded dump among \(files)")
        }
        return try WAVFile.read(participant.recordings.appendingPathComponent(decoded))
    }

    /// - Parameter tls: the baresips call over TLS (`;transport=tls`), trusting whatever
    ///   certificate Chorus shows (baresip 1.0 does not verify it).
    private func runRoom(accountParameters: [String], srtp: ChorusConfiguration.Media.SRTPPolicy, expectSRTP: Bool, tls: Bool = false) async throws {
        try Baresip.requireInstalled()
        var configuration = TestServer.configuration()
        if tls { configuration.sip.listen.append(ListenAddress(transport: .tls, host: "127.0.0.1", port: 0)) }
        configuration.media.srtp = srtp
        let server = try await TestServer.start(configuration)
        let port = try await server.address(tls ? .tls : .udp).port!
        let dialed = "sip:4200@127.0.0.1:\(port)" + (tls ? ";transport=tls" : "")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-baresip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        var participants: [Participant] = []
        defer { for participant in participants { participant.baresip.stop() } }
        for (index, parameters) in accountParameters.enumerated() {
            let participant = try startParticipant(index: index, tone: Self.tones[index], accountParameters: parameters, directory: directory)
            participants.append(participant)
            try await participant.baresip.command("dial", dialed)
            try await participant.baresip.waitForLog(timeout: .seconds(10), "call established") { $0.contains("Call established") }
        }
        if expectSRTP {
            for participant in participants {
                XCTAssertTrue(participant.baresip.log.contains("SRTP is Enabled"), participant.baresip.log)
            }
        }
        // Everyone talks for a while.
        try await Task.sleep(for: .seconds(4))
        for participant in participants {
            _ = try? await participant.baresip.command("hangup", "")
        }
        try await Task.sleep(for: .milliseconds(500))

        for (index, participant) in participants.enumerated() {
            let (samples, rate) = try heardAudio(participant)
            XCTAssertGreaterThan(rate, 0)
            // The last two seconds of the call, when everyone was in.
            let window = Array(samples.dropLast(rate / 2).suffix(2 * rate))
            let others = Self.tones.prefix(participants.count).filter { $0 != participant.tone }
            ConferenceAudioCheck.assertHears(window, sampleRate: rate, heard: Array(others), silent: [participant.tone], "baresip \(index)")
        }
        await server.shutdown()
    }

    /// SRTP required, so (security.sdes auto) the keys travel only over TLS: the call is SIP over
    /// TLS with SDES-SRTP end to end, by a client nobody here wrote.
    func testThreeOpusBaresipsOverTLSWithMandatorySRTPHearEachOtherButNotThemselves() async throws {
        let account = ";audio_codecs=opus/48000/2;mediaenc=srtp-mand"
        try await runRoom(accountParameters: [account, account, account], srtp: .required, expectSRTP: true, tls: true)
    }

    func testAPCMUOnlyBaresipJoinsOpusBaresips() async throws {
        let opus = ";audio_codecs=opus/48000/2"
        try await runRoom(accountParameters: [opus, ";audio_codecs=PCMU/8000/1", opus], srtp: .optional, expectSRTP: false)
    }
}
