import ArgumentParser
import Dispatch
import PortcullisSelftest

/// (B) The kernel decides exactly as the reference evaluator: random policy sets,
/// each installed as a generation, and random events against each, compared one
/// by one (outcome, and the decision event's rule and action).
struct SelftestDifferentialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "differential",
        abstract: "Compare the kernel's decisions with the reference evaluator's on random policies and events.")

    @Option(help: "Seed of the random policies and events; the same seed gives the same run.")
    var seed: UInt64 = 1
    @Option(help: "Random policy sets, installed one after the other.") var policies = 10
    @Option(help: "Random events tried against each policy set.") var events = 100
    @Option(
        name: .customLong("cgroup-root"),
        help: "The cgroup2 mount (the root of the hierarchy) under which the events' cgroups are created.")
    var cgroupRoot = "/sys/fs/cgroup"
    @OptionGroup var options: SelftestOptions

    func run() throws {
        let plan = DifferentialPlan(seed: seed, root: options.root, eventsPerSet: events)
        try SelftestFiles.build(plan.tree, busybox: options.busybox)
        let start = DispatchTime.now().uptimeNanoseconds
        let rerun =
            "portcullis selftest differential --seed \(seed) --policies \(policies) --events \(events) --root DIR"
        let cgroups = try SelftestCgroups(root: cgroupRoot, paths: DifferentialPlan.cgroups)
        defer { cgroups.remove() }
        let (tally, clock) = try SelftestKernel.withEnforcer(pinRoot: options.pinRoot) { enforcer in
            var run = try DifferentialRun(plan: plan, enforcer: enforcer, cgroups: cgroups)
            run.clock.add("programs", DispatchTime.now().uptimeNanoseconds - start)
            for index in 0..<policies {
                if let mismatch = try run.run(plan.policySet(index)) {
                    print("selftest differential: MISMATCH")
                    print(mismatch.report, terminator: "")
                    print("  rerun: \(rerun)")
                    throw ExitCode(1)
                }
            }
            return (run.tally, run.clock)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print(
            "selftest differential: seed \(seed), \(policies) policy sets, \(events) events each, in \(Int(seconds)) s")
        for line in tally.summary { print("selftest differential: \(line)") }
        print("selftest differential: time: \(clock.summary)")
        print("selftest differential: PASS")
    }
}
