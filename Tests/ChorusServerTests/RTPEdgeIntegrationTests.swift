import ChorusServer
import ChorusTestSupport
import NIOCore
import XCTest

/// The media edge of the real server: a participant flooding at ten times the packet rate is
/// capped without the others noticing, and a stranger's stream aimed at a participant's port never
/// reaches the mix.
final class RTPEdgeIntegrationTests: XCTestCase {
    func testATenfoldSenderAndAStrangersStreamDoNotDisturbTheRoom() async throws {
        let server = try await TestServer.start()
        let address = try await server.address(.udp)
        let tones = ConferenceAudioCheck.tones
        let phones = try await TestPhone.dialTalkers(2, server: address)
        // The third participant sends ten packets every 20 ms (500 a second).
        var flooding = TestPhone.Options(codec: .opus, tone: 2000)
        flooding.packetsPerTick = 10
        let flooder = try await TestPhone.dial(room: "4200", server: address, options: flooding)
        // A stranger, in a room of its own, aims its tone at the first participant's port in 4200.
        let stranger = try await TestPhone.dial(room: "4300", server: address, options: .init(codec: .opus, tone: tones[2]))
        for phone in phones + [flooder] { phone.startSending() }
        try await Task.sleep(for: .milliseconds(300))
        let target = try await phones[0].mediaDestination()
        try await stranger.redirectMedia(to: try XCTUnwrap(target))
        stranger.startSending()
        try await Task.sleep(for: .milliseconds(500))
        for phone in phones { await phone.clearRecording() }
        try await Task.sleep(for: .milliseconds(1500))
        for (index, phone) in phones.enumerated() {
            let recording = Array((await phone.recording()).suffix(48_000))
            ConferenceAudioCheck.assertHears(
                recording, sampleRate: 48_000, heard: [tones[1 - index]], silent: [tones[index], tones[2]],
                "participant \(index), with a flooder and a stranger about")
            // Capped at security.rtp_packets_per_second (150), the flooder's stream only gets through in
            // fragments: measured between -14 and -28 dB, depending on where the jitter buffer's
            // resyncs fall. Uncapped (a cap of 100,000) it plays at full level, -0.2 dB.
            let flood = ConferenceAudioCheck.level(of: 2000, in: recording, sampleRate: 48_000)
            XCTAssertLessThan(flood, -8, "the tenfold sender is capped (its tone at \(flood) dB)")
        }
        await TestPhone.hangUpAll(phones + [flooder, stranger])
        await server.shutdown()
    }
}
