import ArgumentParser
import Dispatch
import Glibc
import PortcullisKernel
import PortcullisSelftest

/// (A) Generation swaps are atomic: two generations whose rule tables disagree are
/// installed alternately while workers execute their paths, and every decision the
/// kernel reports must be exactly what its own generation says.
struct SelftestFlipsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flips",
        abstract: "Swap two disagreeing generations N times while workers execute; check every decision.")

    @Option(help: "Generations to install, alternating between the two sets.") var count = 2000
    @Option(help: "Worker processes executing the paths.") var workers = 2
    @Option(help: "Pairs of a denied and an audited path (the kernel rate-limits events per rule).")
    var pairs = 8
    @Option(name: .customLong("min-events"), help: "Fewest decision events checked for a pass.")
    var minimumEvents = 1000
    @OptionGroup var options: SelftestOptions

    func validate() throws {
        guard count >= 2, workers >= 1, pairs >= 1 else {
            throw ValidationError("--count must be at least 2, --workers and --pairs at least 1")
        }
    }

    func run() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let plan = try FlipPlan(root: options.root, pairs: pairs)
        try SelftestFiles.copies(of: options.busybox, at: plan.paths, in: options.root)
        let result = try SelftestKernel.withEnforcer(pinRoot: options.pinRoot) { enforcer in
            try FlipRun(plan: plan, enforcer: enforcer, root: options.root).run(count: UInt64(count), workers: workers)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        for line in result.summary { print("selftest flips: \(line)") }
        print("selftest flips: took \(Int(seconds)) s")
        var problems = result.problems
        if result.eventsChecked < minimumEvents {
            problems.append("only \(result.eventsChecked) decision events checked, fewer than \(minimumEvents)")
        }
        guard problems.isEmpty else {
            for problem in problems.prefix(20) { print("selftest flips: FAIL: \(problem)") }
            if problems.count > 20 { print("selftest flips: FAIL: ... and \(problems.count - 20) more") }
            throw ExitCode(1)
        }
        print("selftest flips: PASS")
    }
}
