#if canImport(Glibc)
import Glibc
#endif
import ChorusRTP
@testable import ChorusConference
import ChorusTestSupport
import Logging
import NIOCore
import NIOPosix
import XCTest

/// The batched reads of a loop's media sockets, on loopback.
final class MediaReceiverTests: XCTestCase {
    private func openLeg(on loop: any EventLoop, phonePort: Int) async throws -> MediaLeg {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let parameters = MediaLegParameters(
            payloadType: 111, clockRate: 48000, remoteRTP: try SocketAddress(ipAddress: "127.0.0.1", port: phonePort), rtcpMux: true)
        return try await MediaLeg.open(on: loop, host: "127.0.0.1", rtpPort: 0, parameters: parameters, logger: logger).get()
    }

    private static func rtp(_ sequence: UInt16) -> [UInt8] {
        RTPPacket(
            header: RTPHeader(payloadType: 111, sequenceNumber: sequence, timestamp: UInt32(sequence) * 960, ssrc: 0x0BAD_CAFE),
            payload: [0xF8, 0xFF, 0xFE]
        ).serialized()
    }

    private static func send(_ bytes: [UInt8], from phone: MediaSocket, to port: Int) throws {
        let destination = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        XCTAssertEqual(phone.send(to: destination, capacity: bytes.count) { out in
            out.copyBytes(from: bytes)
            return bytes.count
        }, .sent(bytes: bytes.count))
    }

    func testAPacketWaitsInTheKernelUntilTheTickReadsItAndKeepsItsArrivalTime() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let phone = try MediaSocket.bind(host: "127.0.0.1", port: 0)
        let leg = try await openLeg(on: loop, phonePort: phone.localPort)
        let localPort = try await loop.submit { leg.localRTPPort }.get()
        let port = try XCTUnwrap(localPort)
        let packet = Self.rtp(1)
        // All on the loop, so no timer reads in between: sent, left waiting 60 ms, then read.
        let (before, after, sentAt, arrival) = try await loop.submit {
            try Self.send(packet, from: phone, to: port)
            let sentAt = loop.now
            usleep(60_000)
            let before = leg.statistics.rtpReceived
            leg.receiveWaitingPackets()
            return (before, leg.statistics.rtpReceived, sentAt, leg.lastActivity)
        }.get()
        XCTAssertEqual(before, 0, "nothing is read between ticks")
        XCTAssertEqual(after, 1, "the tick's read takes it")
        XCTAssertLessThan((arrival - sentAt).nanoseconds, 20_000_000, "its arrival is when the kernel had it, not when it was read (60 ms later)")
        XCTAssertGreaterThan(arrival.uptimeNanoseconds + 5_000_000, sentAt.uptimeNanoseconds)
        let buffered = try await loop.submit { leg.jitterBuffer.packetCount }.get()
        XCTAssertEqual(buffered, 1)

        // A leg in no ticking room is still read, by the receiver's own timer.
        try Self.send(Self.rtp(2), from: phone, to: port)
        let deadline = ContinuousClock.now + .seconds(2)
        var received = 1
        while received < 2 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
            received = try await loop.submit { leg.statistics.rtpReceived }.get()
        }
        XCTAssertEqual(received, 2)
        try await leg.close().get()
        try await group.shutdownGracefully()
    }

    func testEveryLegOfTheLoopIsReadByOneDrainAndTheLastToCloseTakesTheReceiverAway() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let phone = try MediaSocket.bind(host: "127.0.0.1", port: 0)
        let legs = [try await openLeg(on: loop, phonePort: phone.localPort), try await openLeg(on: loop, phonePort: phone.localPort)]
        let ports = try await loop.submit { legs.map { $0.localRTPPort ?? 0 } }.get()
        let counts = try await loop.submit {
            // Three packets to the first leg, one to the second, then one drain through the second.
            for sequence in 1...3 { try Self.send(Self.rtp(UInt16(sequence)), from: phone, to: ports[0]) }
            try Self.send(Self.rtp(1), from: phone, to: ports[1])
            usleep(5_000)
            let receiver = try MediaReceiver.forLoop(loop)
            let reads = receiver.reads
            legs[1].receiveWaitingPackets()
            return (legs.map(\.statistics.rtpReceived), receiver.reads - reads)
        }.get()
        XCTAssertEqual(counts.0, [3, 1], "one drain reads every socket of the loop")
        XCTAssertEqual(counts.1, 2, "one recvmmsg per socket, however many packets wait")

        try await legs[0].close().get()
        let stillThere = try await loop.submit { MediaReceiver.existing(on: loop) != nil }.get()
        XCTAssertTrue(stillThere)
        try await legs[1].close().get()
        let gone = try await loop.submit { MediaReceiver.existing(on: loop) == nil }.get()
        XCTAssertTrue(gone, "a loop with no legs keeps no receiver (nor its timer)")
        try await group.shutdownGracefully()
    }

    func testOneDrainEmptiesASprayedSocketSoThePhonesPacketBehindItIsRead() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let phone = try MediaSocket.bind(host: "127.0.0.1", port: 0)
        let stranger = try MediaSocket.bind(host: "127.0.0.1", port: 0)
        let leg = try await openLeg(on: loop, phonePort: phone.localPort)
        let localPort = try await loop.submit { leg.localRTPPort }.get()
        let port = try XCTUnwrap(localPort)
        let (received, strangers) = try await loop.submit {
            // The phone's first packet latches it; then 150 from a stranger and the phone's second,
            // all waiting before one drain.
            try Self.send(Self.rtp(1), from: phone, to: port)
            usleep(2_000)
            leg.receiveWaitingPackets()
            for sequence in 1...150 { try Self.send(Self.rtp(UInt16(100 + sequence)), from: stranger, to: port) }
            try Self.send(Self.rtp(2), from: phone, to: port)
            usleep(5_000)
            leg.receiveWaitingPackets()
            let statistics = leg.statistics
            return (statistics.rtpReceived, statistics.droppedRateLimited + statistics.droppedUnknownSource)
        }.get()
        XCTAssertEqual(received, 2, "the phone's packet, behind the spray, is read by the same drain")
        XCTAssertEqual(strangers, 150, "the stranger's are dropped by the leg, not left in the kernel")
        try await leg.close().get()
        try await group.shutdownGracefully()
    }

    func testATokenOfAClosedSocketDoesNotReachTheOneThatReusedItsSlot() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let phone = try MediaSocket.bind(host: "127.0.0.1", port: 0)
        let leg = try await openLeg(on: loop, phonePort: phone.localPort)
        let first = try MediaSocket.bind(host: "127.0.0.1", port: 0)
        let second = try MediaSocket.bind(host: "127.0.0.1", port: 0)
        let received = try await loop.submit {
            let receiver = try MediaReceiver.forLoop(loop)
            let stale = try receiver.register(first, for: leg, isRTCPPort: false)
            receiver.unregister(stale)
            let reused = try receiver.register(second, for: leg, isRTCPPort: false)
            XCTAssertNotEqual(stale, reused)
            receiver.unregister(stale)  // again, late: must not touch `second`
            try Self.send(Self.rtp(7), from: phone, to: second.localPort)
            usleep(5_000)
            leg.receiveWaitingPackets()
            receiver.unregister(reused)
            return leg.statistics.rtpReceived
        }.get()
        XCTAssertEqual(received, 1, "the socket that took the slot is still read")
        try await leg.close().get()
        try await group.shutdownGracefully()
    }
}
