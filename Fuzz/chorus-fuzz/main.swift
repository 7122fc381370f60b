// libFuzzer entry points for Chorus's parsers. Build with the fuzzer (see Scripts/fuzz):
//   swift build --build-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --product chorus-fuzz
// (-parse-as-library: this file then emits no `main`, so libFuzzer's runs; hence no top-level
// statements here.) The harness is chosen by CHORUS_FUZZ_HARNESS (sip, sdp, rtp, command,
// digest). libFuzzer replays a crash file given as an argument. Built without the fuzzer (as
// `swift build` does) the executable does nothing; the unit tests replay the seed corpora.
import ChorusFuzzing
import Foundation

nonisolated(unsafe) var harness: FuzzHarness = .sip

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<Int32>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> Int32 {
    let name = ProcessInfo.processInfo.environment["CHORUS_FUZZ_HARNESS"] ?? "sip"
    guard let chosen = FuzzHarness(rawValue: name) else {
        FileHandle.standardError.write(Data("unknown CHORUS_FUZZ_HARNESS \(name); one of \(FuzzHarness.allCases.map(\.rawValue))\n".utf8))
        exit(2)
    }
    harness = chosen
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size <= FuzzHarness.maxInput else { return 0 }
    harness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

