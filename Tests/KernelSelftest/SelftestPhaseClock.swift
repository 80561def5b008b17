import Dispatch

/// Where a selftest run's time goes, by phase (loading the programs, compiling,
/// installing, running the events), for its summary: under emulation the run
/// is part of CI's time, and this says which phase to look at.
struct SelftestPhaseClock {
    private(set) var nanoseconds: [(phase: String, total: UInt64)] = []

    /// Runs `body`, adding its time to `phase`.
    mutating func time<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { add(phase, DispatchTime.now().uptimeNanoseconds - start) }
        return try body()
    }

    mutating func add(_ phase: String, _ elapsed: UInt64) {
        if let index = nanoseconds.firstIndex(where: { $0.phase == phase }) {
            nanoseconds[index].total += elapsed
        } else {
            nanoseconds.append((phase, elapsed))
        }
    }

    /// "programs 7.1 s, compile 20.3 s, …", in the order the phases first ran.
    var summary: String {
        nanoseconds.map { phase in
            let tenths = (phase.total + 50_000_000) / 100_000_000
            return "\(phase.phase) \(tenths / 10).\(tenths % 10) s"
        }.joined(separator: ", ")
    }
}
