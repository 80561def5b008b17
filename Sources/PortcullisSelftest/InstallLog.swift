/// When each generation of the flip selftest was installed, on CLOCK_MONOTONIC
/// (the clock of bpf_ktime_get_ns, which stamps decision events).
///
/// A decision of generation g must have been made after g's install began (the
/// programs cannot see it before) and before g+1's install returned: the kernel
/// waits for running programs when a map-in-map slot changes (synchronize_rcu in
/// maybe_wait_bpf_programs), so once an install returns no program still decides
/// with the generation it replaced.
public struct InstallLog: Sendable {
    /// [started, returned] of generation g at index g - 1.
    private var spans: [(started: UInt64, returned: UInt64)] = []

    public init() {}

    /// Generations are installed in order from 1.
    public mutating func record(generation: UInt64, started: UInt64, returned: UInt64) {
        precondition(generation == UInt64(spans.count) + 1, "generations are installed in order from 1")
        spans.append((started, returned))
    }

    public var count: UInt64 { UInt64(spans.count) }

    /// What is wrong with a decision of `generation` stamped `time`, or nil.
    public func mismatch(generation: UInt64, time: UInt64) -> String? {
        guard generation >= 1, generation <= count else {
            return "generation \(generation) was never installed (installed: 1...\(count))"
        }
        let span = spans[Int(generation - 1)]
        if time < span.started {
            return "a decision of generation \(generation) made \(span.started - time) ns before its install began"
        }
        if generation < count, time > spans[Int(generation)].returned {
            return
                "a decision of generation \(generation) made \(time - spans[Int(generation)].returned) ns "
                + "after generation \(generation + 1) was installed"
        }
        return nil
    }
}
