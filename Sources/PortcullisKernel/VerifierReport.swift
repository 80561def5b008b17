import CBPF
import Glibc

/// What the kernel's verifier spent on each program of a loaded object: the
/// instructions it walked (`verified_insns`) and how long the load took.
public struct VerifierCost: Sendable, Equatable {
    public var program: String
    public var verifiedInstructions: UInt32
    /// From this program's load to the next one's (or to the end of the object's load).
    public var loadNanoseconds: UInt64

    public init(program: String, verifiedInstructions: UInt32, loadNanoseconds: UInt64) {
        self.program = program
        self.verifiedInstructions = verifiedInstructions
        self.loadNanoseconds = loadNanoseconds
    }
}

enum VerifierReport {
    /// The cost of each program of `object`, loaded at `started` and done at `finished`
    /// (CLOCK_BOOTTIME, as the kernel's `load_time`). The kernel stamps a program when its
    /// load begins, before verifying it, so a program's time runs to the next program's stamp.
    static func costs(of object: OpaquePointer, programs: [String], finished: UInt64) -> [VerifierCost] {
        var loaded: [Loaded] = []
        for name in programs {
            guard let program = bpf_object__find_program_by_name(object, name) else { continue }
            var info = bpf_prog_info()
            var length = UInt32(MemoryLayout<bpf_prog_info>.size)
            guard bpf_obj_get_info_by_fd(bpf_program__fd(program), &info, &length) == 0 else { continue }
            loaded.append(Loaded(program: name, instructions: info.verified_insns, loadTime: info.load_time))
        }
        return costs(of: loaded, finished: finished)
    }

    /// One program as the kernel describes it: its name, `verified_insns` and `load_time`.
    struct Loaded: Equatable {
        var program: String
        var instructions: UInt32
        var loadTime: UInt64
    }

    /// Each program's load runs from its stamp to the next program's (in any order), the last one's to `finished`.
    static func costs(of loaded: [Loaded], finished: UInt64) -> [VerifierCost] {
        let stamps = loaded.map(\.loadTime).sorted()
        return loaded.map { entry in
            let next = stamps.first { $0 > entry.loadTime } ?? finished
            return VerifierCost(
                program: entry.program, verifiedInstructions: entry.instructions,
                loadNanoseconds: next > entry.loadTime ? next - entry.loadTime : 0)
        }
    }

    /// Now, on the clock the kernel stamps program loads with.
    static func boottime() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_BOOTTIME, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
