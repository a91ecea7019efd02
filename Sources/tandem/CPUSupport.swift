import Foundation

/// The start-up check that goes with TandemONNX being compiled for x86-64-v3 (Package.swift): on a
/// CPU without AVX2/FMA its first vector instruction would kill the process with SIGILL, so
/// `tandem` looks at the CPU's features first and refuses to start with a message instead. This
/// file belongs to the `tandem` target, which is compiled for baseline x86-64, so the check itself
/// runs on any x86-64 CPU.
enum CPUSupport {
    /// The /proc/cpuinfo flags of x86-64-v3 (with the v2 ones below it); `pni` is SSE3, `abm` LZCNT.
    static let required = ["pni", "ssse3", "sse4_1", "sse4_2", "popcnt", "cx16",
                           "avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm"]

    /// The required flags that `cpuinfo` (the text of /proc/cpuinfo) does not list; empty when
    /// every one is there or when the text has no `flags` line (not Linux-on-x86: nothing to check).
    static func missing(cpuinfo: String) -> [String] {
        guard let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        let flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        return required.filter { !flags.contains($0) }
    }

    /// Exits with status 1 and a message on standard error when this build needs x86-64-v3 and the
    /// CPU lacks part of it.
    static func exitUnlessSupported() {
        #if TANDEM_X86_64_V3 && os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return }
        let absent = missing(cpuinfo: text)
        guard !absent.isEmpty else { return }
        let message = "tandem: this build needs an x86-64-v3 CPU (AVX2, FMA; Intel Haswell / AMD Excavator or newer); "
            + "this CPU lacks: \(absent.joined(separator: ", ")). Rebuild with TANDEM_BASELINE_CPU=1 for baseline x86-64 (docs/runtime.md).\n"
        FileHandle.standardError.write(Data(message.utf8))
        exit(1)
        #endif
    }
}
