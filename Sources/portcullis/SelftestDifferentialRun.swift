import Glibc
import PortcullisCompiler
import PortcullisDaemon
import PortcullisKernel
import PortcullisSelftest

/// The differential selftest against the real programs: each policy set is
/// compiled as the daemon compiles it (symlinks resolved, literal paths matched
/// by file identity too), installed, and every event is run and compared.
struct DifferentialRun {
    let plan: DifferentialPlan
    let enforcer: Enforcer
    let inbox: EventInbox
    private(set) var tally = DifferentialTally()

    init(plan: DifferentialPlan, enforcer: Enforcer) throws {
        self.plan = plan
        self.enforcer = enforcer
        inbox = try EventInbox(enforcer)
    }

    /// Runs one policy set; the first disagreement, or nil.
    mutating func run(_ set: DifferentialPlan.PolicySet) throws -> DifferentialMismatch? {
        let generation = UInt64(set.index + 1)
        let compiled: CompiledPolicy
        do {
            compiled = try PolicyBuild.compile(set.policies, generation: generation)
        } catch {
            throw SelftestFailure(
                "policy set \(set.index) does not compile: \(error)\n\(PolicyYAML.render(set.policies))")
        }
        try enforcer.install(compiled.image)
        let evaluator = ImageEvaluator(compiled.image)
        _ = try inbox.take(enforcer)

        for (index, event) in set.events.enumerated() {
            let canonical = try SelftestFiles.canonicalPath(event.path)
            let identity = PolicyBuild.identify(canonical)
            let prediction = Prediction(event, by: evaluator, canonicalPath: canonical, identity: identity)
            let observation = try observe(event)
            let problems = prediction.mismatches(observation)
            guard problems.isEmpty else {
                return DifferentialMismatch(
                    seed: plan.seed, set: set, generation: generation, eventIndex: index, identity: identity,
                    prediction: prediction, observation: observation, problems: problems, rules: compiled.rules)
            }
            tally.add(prediction, observation, tool: event.tool != nil)
        }
        return nil
    }

    /// Starts the event's program. A real uid other than 0 goes through setpriv(1):
    /// real and effective uid N, with the tools' capabilities (and DAC override, for
    /// the root-only scratch tree) kept as ambient capabilities, since a busybox
    /// whose real and effective uids differ drops its privileges. bash's `exec -a`
    /// gives busybox its applet name in argv[0]. Neither program is under the
    /// scratch tree, so no generated rule matches them.
    static func spawn(_ event: SelftestEvent) -> Result<Spawned, Spawned.Refused> {
        guard event.uid != 0 else {
            return Spawned.start(event.path, argv0: event.applet, arguments: event.arguments, captureStderr: true)
        }
        let uid = String(event.uid)
        let caps = "+net_admin,+mknod,+dac_override"
        return Spawned.start(
            "/usr/bin/setpriv", argv0: "setpriv",
            arguments: [
                "--reuid", uid, "--regid", uid, "--clear-groups", "--inh-caps", caps, "--ambient-caps", caps, "--",
                "/bin/bash", "-c", "exec -a \"$0\" \"$@\"", event.applet, event.path,
            ] + event.arguments,
            captureStderr: true)
    }

    /// Runs `event` and collects what the kernel reported and dropped meanwhile.
    func observe(_ event: SelftestEvent) throws -> Observation {
        let before = try enforcer.statistics()
        let outcome: Observation.Outcome
        switch Self.spawn(event) {
        case .failure(let refused) where refused.code == EPERM:
            outcome = .execDenied
        case .failure(let refused):
            throw SelftestFailure("\(event): the exec failed: \(refused.message)")
        case .success(let child):
            let (status, stderr) = child.wait()
            if status == 0 {
                outcome = .ran
            } else if event.uid != 0, status == 126, stderr.contains("Operation not permitted") {
                outcome = .execDenied  // bash's exec of the tool was refused
            } else if event.tool != nil, stderr.contains("Operation not permitted") {
                outcome = .capabilityDenied
            } else {
                throw SelftestFailure("\(event): exit status \(status): \(stderr)")
            }
        }
        let reports = try inbox.take(enforcer).map(Report.init)
        let after = try enforcer.statistics()
        let dropped =
            (after.droppedByRateLimit - before.droppedByRateLimit) + (after.droppedRingFull - before.droppedRingFull)
        return Observation(outcome: outcome, reports: reports, dropped: dropped)
    }
}
