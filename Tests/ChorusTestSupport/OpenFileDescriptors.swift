import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// This process's open files, as Linux's `/proc/self/fd` lists them: to make the disk "fill up"
/// under a file a server in this process is writing.
public enum OpenFileDescriptors {
    /// The descriptor this process has open on `file`; nil when none (or no `/proc`).
    public static func descriptor(of file: URL) -> Int32? {
        let wanted = file.resolvingSymlinksInPath().path
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for entry in entries {
            guard let fd = Int32(entry),
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)"),
                URL(fileURLWithPath: target).resolvingSymlinksInPath().path == wanted
            else { continue }
            return fd
        }
        return nil
    }

    /// Puts `/dev/full` in the place of `fd` (dup2): every later write through it fails with
    /// ENOSPC, as on a full disk. The file keeps what was written before.
    public static func fillDisk(under fd: Int32) throws {
        let full = open("/dev/full", O_WRONLY | O_CLOEXEC)
        guard full >= 0 else { throw Failure("cannot open /dev/full: \(String(cString: strerror(errno)))") }
        defer { close(full) }
        guard dup2(full, fd) == fd else { throw Failure("dup2: \(String(cString: strerror(errno)))") }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
