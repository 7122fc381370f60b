import CMediaSocket
@testable import ChorusConference
import ChorusTestSupport
import NIOCore
import XCTest

/// A leg's socket, on loopback: the direct send path and the batched reads.
final class MediaSocketTests: XCTestCase {
    private func peer() async throws -> RawSIPClient {
        // The peer's own destination does not matter: it only receives here.
        try await RawSIPClient.connect(.udp, to: try SocketAddress(ipAddress: "127.0.0.1", port: 9))
    }

    func testSendsWhatTheBuilderWroteAndNothingWhenItGivesUp() async throws {
        let phone = try await peer()
        let port = try ChorusProcess.freePort()
        let sender = try MediaSocket.bind(host: "127.0.0.1", port: port)
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
        let sender = try MediaSocket.bind(host: "127.0.0.1", port: port)
        let destination = try SocketAddress(ipAddress: "127.0.0.1", port: phone.localPort)
        let length = MediaSocket.initialCapacity + 300
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

    func testAClosedSocketSendsNothingAndFreesItsPort() throws {
        let port = try ChorusProcess.freePort()
        let socket = try MediaSocket.bind(host: "127.0.0.1", port: port)
        XCTAssertEqual(socket.localPort, port)
        socket.close()
        XCTAssertEqual(socket.send(to: try SocketAddress(ipAddress: "127.0.0.1", port: 9), capacity: 16) { _ in 1 }, .closed)
        XCTAssertEqual(try MediaSocket.bind(host: "127.0.0.1", port: port).localPort, port, "the port is free again")
    }

    func testOneReadTakesEveryWaitingDatagramWithItsSourceAndArrivalTime() throws {
        let receiver = try MediaSocket.bind(host: "127.0.0.1", port: 0)
        let sender = try MediaSocket.bind(host: "127.0.0.1", port: 0)
        XCTAssertNotEqual(receiver.localPort, 0, "an ephemeral port is reported as bound")
        let destination = try SocketAddress(ipAddress: "127.0.0.1", port: receiver.localPort)
        let before = MediaLeg.realtimeNanoseconds()
        for length in [3, 5, 7] {
            XCTAssertEqual(sender.send(to: destination, capacity: length) { out in
                for index in 0..<length { out[index] = UInt8(length) }
                return length
            }, .sent(bytes: length))
        }
        // One more than the slot holds: cut short and flagged.
        XCTAssertEqual(sender.send(to: destination, capacity: 64) { _ in 64 }, .sent(bytes: 64))
        let after = MediaLeg.realtimeNanoseconds()

        let capacity = 32
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 8 * capacity, alignment: 16)
        let slots = UnsafeMutableBufferPointer<chorus_datagram>.allocate(capacity: 8)
        defer { storage.deallocate(); slots.deallocate() }
        for index in 0..<8 {
            slots[index] = chorus_datagram()
            slots[index].buffer = storage.baseAddress! + index * capacity
            slots[index].capacity = capacity
        }
        XCTAssertEqual(receiver.receive(into: slots), 4, "all four in one call")
        for (index, length) in [3, 5, 7].enumerated() {
            let bytes = UnsafeRawBufferPointer(start: slots[index].buffer, count: slots[index].length)
            XCTAssertEqual(Array(bytes), [UInt8](repeating: UInt8(length), count: length))
            XCTAssertEqual(slots[index].truncated, 0)
            let source = DatagramSource(slots[index].source)
            XCTAssertEqual(Int(source.port), sender.localPort)
            XCTAssertEqual(source.socketAddress, try SocketAddress(ipAddress: "127.0.0.1", port: sender.localPort))
            XCTAssertTrue((before...after).contains(slots[index].arrival_realtime_ns), "stamped by the kernel when it arrived")
        }
        XCTAssertEqual(slots[3].length, capacity)
        XCTAssertEqual(slots[3].truncated, 1)
        XCTAssertEqual(receiver.receive(into: slots), 0, "nothing left: an empty socket is not an error")
    }

    func testSourcesCompareByAddressAndPortAndRoundTripForIPv6() throws {
        let v4 = try XCTUnwrap(DatagramSource(try SocketAddress(ipAddress: "192.0.2.7", port: 4000)))
        XCTAssertEqual(v4, DatagramSource(try SocketAddress(ipAddress: "192.0.2.7", port: 4000)))
        XCTAssertNotEqual(v4, DatagramSource(try SocketAddress(ipAddress: "192.0.2.7", port: 4002)))
        XCTAssertTrue(v4.sameHost(as: try XCTUnwrap(DatagramSource(try SocketAddress(ipAddress: "192.0.2.7", port: 4002)))))
        XCTAssertNotEqual(v4, DatagramSource(try SocketAddress(ipAddress: "192.0.2.8", port: 4000)))
        let v6 = try XCTUnwrap(DatagramSource(try SocketAddress(ipAddress: "2001:db8::1:2", port: 5004)))
        XCTAssertNotEqual(v6, DatagramSource(try SocketAddress(ipAddress: "2001:db8::1:3", port: 5004)))
        XCTAssertEqual(v6.socketAddress, try SocketAddress(ipAddress: "2001:db8::1:2", port: 5004))
        XCTAssertEqual(v4.socketAddress?.ipAddress, "192.0.2.7")
        XCTAssertNil(DatagramSource(nil))
    }

    func testABoundPortIsRefusedAndAnUnreachableDestinationIsAFailureNotACrash() throws {
        let port = try ChorusProcess.freePort()
        let sender = try MediaSocket.bind(host: "127.0.0.1", port: port)
        XCTAssertThrowsError(try MediaSocket.bind(host: "127.0.0.1", port: port), "the port is taken")
        // An IPv6 destination from an IPv4 socket: the kernel refuses it.
        let result = sender.send(to: try SocketAddress(ipAddress: "::1", port: 9), capacity: 16) { _ in 1 }
        guard case .failed(let code) = result else { return XCTFail("sent anyway: \(result)") }
        XCTAssertNotEqual(code, 0)
    }
}
