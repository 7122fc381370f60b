#if canImport(Glibc)
import Glibc
#endif

/// What `/proc` tells about a process: CPU time and resident memory.
struct ProcessProbe {
    let pid: Int32

    /// User plus system CPU seconds the process has used (fields 14 and 15 of `/proc/PID/stat`).
    func cpuSeconds() -> Double? {
        guard let text = Self.read("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        // After "pid (comm)": state is field 3, utime field 14, stime field 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident set size in kilobytes (`VmRSS` in `/proc/PID/status`).
    func residentKilobytes() -> Int? {
        guard let text = Self.read("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }

    static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The whole machine's idle time and the time the hypervisor gave to other guests (steal),
/// from the first line of `/proc/stat` in clock ticks; how busy the cores were follows. On a shared
/// 2-core VM, Chorus and chorus-load together can leave the machine near saturation, and then
/// the timing figures say as much about the machine as about Chorus.
///
/// Only idle and steal are read: on the VMs here the user and system ticks, which the kernel
/// samples, fell short of what the processes' own CPU times add up to (0.31 cores against
/// 0.55), while idle and steal are measured. Busy is what is left of the wall time.
struct MachineCPU {
    var idle: Double
    var steal: Double

    static func now() -> MachineCPU? {
        guard let text = ProcessProbe.read("/proc/stat"), let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        // user nice system idle iowait irq softirq steal
        let values = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
        guard values.count == 8 else { return nil }
        return MachineCPU(idle: values[3] + values[4], steal: values[7])
    }

    /// Cores idle, stolen and busy between two readings (CPU seconds per wall second).
    static func cores(from start: MachineCPU, to end: MachineCPU, wallSeconds: Double, cpus: Double) -> (busy: Double, idle: Double, steal: Double) {
        let scale = 1 / (Double(sysconf(Int32(_SC_CLK_TCK))) * wallSeconds)
        let idle = (end.idle - start.idle) * scale
        let steal = (end.steal - start.steal) * scale
        return (max(0, cpus - idle - steal), idle, steal)
    }
}

/// This process's own CPU seconds (getrusage).
func ownCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
