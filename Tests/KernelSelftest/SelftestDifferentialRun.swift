import Dispatch
import Glibc
import PortcullisCompiler
import PortcullisGeneration
import PortcullisKernel
import PortcullisSelftest

/// The differential selftest against the real programs: each policy set is
/// compiled as the daemon compiles it (symlinks resolved, literal paths matched
/// by file identity too), installed, and every event is run and compared.
struct DifferentialRun {
    let plan: DifferentialPlan
    let enforcer: Enforcer
    let inbox: EventInbox
    let launcher: SelftestLauncher
    let cgroups: SelftestCgroups
    private(set) var tally = DifferentialTally()
    var clock = SelftestPhaseClock()
    /// Each program's content, read once: the tree does not change during a run.
    private var contents: [String: ImageEvaluator.Content] = [:]

    init(plan: DifferentialPlan, enforcer: Enforcer, cgroups: SelftestCgroups) throws {
        self.plan = plan
        self.enforcer = enforcer
        self.cgroups = cgroups
        inbox = try EventInbox(enforcer)
        // The caller of a uid-0 exec is a child of this process: a copy of its record,
        // which the install wrote from /proc/PID/exe and /proc/PID/cmdline.
        launcher = SelftestLauncher(
            executable: try SelftestFiles.canonicalPath("/proc/self/exe"),
            arguments: Array(CommandLine.arguments.dropFirst()),
            bash: try SelftestFiles.canonicalPath("/bin/bash"))
    }

    /// Runs one policy set; the first disagreement, or nil.
    mutating func run(_ set: DifferentialPlan.PolicySet) throws -> DifferentialMismatch? {
        let generation = UInt64(set.index + 1)
        let compiled: CompiledPolicy
        do {
            compiled = try clock.time("compile") { try PolicyBuild.compile(set.policies, generation: generation) }
        } catch {
            throw SelftestFailure(
                "policy set \(set.index) does not compile: \(error)\n\(PolicyYAML.render(set.policies))")
        }
        try clock.time("install") {
            try enforcer.install(compiled.image)
            _ = try inbox.take(enforcer)
        }
        let evaluator = ImageEvaluator(compiled.image)

        for (index, event) in set.events.enumerated() {
            let canonical = try SelftestFiles.canonicalPath(event.path)
            let identity = PolicyBuild.identify(canonical)
            let content = contents[canonical] ?? ContentDigests.sha256(ofFile: canonical).map(ImageEvaluator.Content.known) ?? .unknown
            contents[canonical] = content
            let prediction = Prediction(
                event, by: evaluator, canonicalPath: canonical, identity: identity, content: content,
                caller: launcher.caller(event))
            let observation = try observe(event)
            let problems = prediction.mismatches(observation)
            guard problems.isEmpty else {
                return DifferentialMismatch(
                    seed: plan.seed, set: set, generation: generation, eventIndex: index, identity: identity,
                    prediction: prediction, observation: observation, problems: problems, rules: compiled.rules)
            }
            tally.add(event, prediction, observation)
        }
        return nil
    }

    /// Starts the event's program in its cgroup, as SelftestLauncher describes: with
    /// posix_spawn (vfork) when that is this process's own cgroup, else with clone3
    /// into the cgroup (a fork: slower under emulation).
    func spawn(_ event: SelftestEvent) throws -> Result<Spawned, Spawned.Refused> {
        let (path, argv0, arguments) = launcher.command(event)
        switch event.view {
        case .host: break
        case .chroot(let root):
            // In a chroot of the tree: the program by its path inside it (clone3, which can chroot).
            let cgroup = try cgroups.descriptor(event.cgroup == cgroups.own ? nil : event.cgroup)
            return Spawned.start(
                String(path.dropFirst(root.count)), argv0: argv0, arguments: arguments, captureStderr: true,
                cgroup: cgroup, root: root)
        case .bound(let root, let target):
            // In a mount namespace of its own where the tree is also bound at `target`: by that path.
            let cgroup = try cgroups.descriptor(event.cgroup == cgroups.own ? nil : event.cgroup)
            return Spawned.start(
                target + path.dropFirst(root.count), argv0: argv0, arguments: arguments, captureStderr: true,
                cgroup: cgroup, bind: (root, target))
        }
        let cgroup = event.cgroup == cgroups.own ? nil : try cgroups.descriptor(event.cgroup)
        return Spawned.start(path, argv0: argv0, arguments: arguments, captureStderr: true, cgroup: cgroup)
    }

    /// Runs `event` and collects what the kernel reported and dropped meanwhile.
    mutating func observe(_ event: SelftestEvent) throws -> Observation {
        var started = DispatchTime.now().uptimeNanoseconds
        let before = try enforcer.statistics()
        let outcome: Observation.Outcome
        switch try spawn(event) {
        case .failure(let refused) where refused.code == EPERM:
            outcome = .execDenied
        case .failure(let refused):
            throw SelftestFailure("\(event): the exec failed: \(refused.message)")
        case .success(let child):
            let (status, stderr) = child.wait()
            if status == 0 {
                outcome = .ran
            } else if status == 128 + SIGKILL {
                outcome = .killed  // by the argument rules, once the exec completed
            } else if event.uid != 0, status == 126, stderr.contains("Operation not permitted") {
                outcome = .execDenied  // bash's exec of the tool was refused
            } else if event.tool != nil, stderr.contains("Operation not permitted") {
                outcome = .capabilityDenied
            } else {
                throw SelftestFailure("\(event): exit status \(status): \(stderr)")
            }
        }
        clock.add("events run", DispatchTime.now().uptimeNanoseconds - started)
        started = DispatchTime.now().uptimeNanoseconds
        defer { clock.add("events collected", DispatchTime.now().uptimeNanoseconds - started) }
        let reports = try inbox.take(enforcer).map(Report.init)
        let after = try enforcer.statistics()
        let dropped =
            (after.droppedByRateLimit - before.droppedByRateLimit) + (after.droppedRingFull - before.droppedRingFull)
        return Observation(outcome: outcome, reports: reports, dropped: dropped)
    }
}
