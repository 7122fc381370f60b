@testable import ChorusConference
import ChorusTestSupport
import NIOCore
import XCTest

/// The direct send path of a leg's RTP socket, on loopback.
final class RTPSendSocketTests: XCTestCase {
    private func peer() async throws -> RawSIPClient {
        // The peer's own destination does not matter: it only receives here.
        try await RawSIPClient.connect(.udp, to: try SocketAddress(ipAddress: "127.0.0.1", port: 9))
    }

    func testSendsWhatTheBuilderWroteAndNothingWhenItGivesUp() async throws {
        let phone = try await peer()
        let port = try ChorusProcess.freePort()
        let (channelDescriptor, sender) = try RTPSendSocket.bind(host: "127.0.0.1", port: port)
        defer { close(channelDescriptor) }
        let destination = try SocketAddress(ipAddress: "127.0.0.1", port: phone.localPort)

        XCTAssertEqual(sender.send(to: destination, capacity: 16) { _ in nil }, .notBuilt)
        let result = sender.send(to: destination, capacity: 16) { out in
            for index in 0..<5 { out[index] = UInt8(10 + index) }
            return 5
        }
        XCTAssertEqual(result, .sent(bytes: 5))
        let received = await phone.receive(timeout: .seconds(2))
        XCTAssertEqual(received.map { Array($0.readableBytesView) }, [10, 11, 12, 13, 14], "only the packet that was built arrives")
        await phone.close()
    }

    func testAPacketLargerThanTheFirstScratchBufferIsSentWhole() async throws {
        // A padded Opus payload forwarded as it came can exceed the first 1,500 bytes.
        let phone = try await peer()
        let port = try ChorusProcess.freePort()
        let (channelDescriptor, sender) = try RTPSendSocket.bind(host: "127.0.0.1", port: port)
        defer { close(channelDescriptor) }
        let destination = try SocketAddress(ipAddress: "127.0.0.1", port: phone.localPort)
        let length = RTPSendSocket.initialCapacity + 300
        let result = sender.send(to: destination, capacity: length) { out in
            guard out.count >= length else { return nil }
            for index in 0..<length { out[index] = UInt8(truncatingIfNeeded: index) }
            return length
        }
        XCTAssertEqual(result, .sent(bytes: length))
        let received = await phone.receive(timeout: .seconds(2))
        XCTAssertEqual(received.map { Array($0.readableBytesView) }, (0..<length).map { UInt8(truncatingIfNeeded: $0) })
        // A builder that writes more than it was given room for is refused, not sent from beyond the buffer.
        XCTAssertEqual(sender.send(to: destination, capacity: 16) { out in out.count + 1 }, .notBuilt)
        await phone.close()
    }

    func testTheCopyOutlivesTheChannelsDescriptorAndStopsAtClose() async throws {
        let phone = try await peer()
        let port = try ChorusProcess.freePort()
        let (channelDescriptor, sender) = try RTPSendSocket.bind(host: "127.0.0.1", port: port)
        let destination = try SocketAddress(ipAddress: "127.0.0.1", port: phone.localPort)
        // NIO closing its descriptor (the channel closed) leaves the sender's own copy working...
        close(channelDescriptor)
        XCTAssertEqual(sender.send(to: destination, capacity: 16) { _ in 1 }, .sent(bytes: 1))
        let first = await phone.receive(timeout: .seconds(2))
        XCTAssertNotNil(first)
        // ...until the sender is closed: then it sends nothing, and the port is free again.
        sender.close()
        XCTAssertEqual(sender.send(to: destination, capacity: 16) { _ in 1 }, .closed)
        let (again, second) = try RTPSendSocket.bind(host: "127.0.0.1", port: port)
        close(again)
        second.close()
        await phone.close()
    }

    func testABoundPortIsRefusedAndAnUnreachableDestinationIsAFailureNotACrash() throws {
        let port = try ChorusProcess.freePort()
        let (channelDescriptor, sender) = try RTPSendSocket.bind(host: "127.0.0.1", port: port)
        defer { close(channelDescriptor) }
        XCTAssertThrowsError(try RTPSendSocket.bind(host: "127.0.0.1", port: port), "the port is taken")
        // An IPv6 destination from an IPv4 socket: the kernel refuses it.
        let result = sender.send(to: try SocketAddress(ipAddress: "::1", port: 9), capacity: 16) { _ in 1 }
        guard case .failed(let code) = result else { return XCTFail("sent anyway: \(result)") }
        XCTAssertNotEqual(code, 0)
    }
}
