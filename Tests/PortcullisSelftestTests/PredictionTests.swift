import PortcullisCompiler
import PortcullisPolicy
import PortcullisSelftest
import Testing

@Suite struct PredictionTests {
    static let at = SourceLocation(file: "e.yaml", line: 1, column: 1)
    static let tree = ScratchTree(root: "/t")
    static let ip = tree.tools.first { $0.kind == .ip }!
    static let netAdmin = Tool.Kind.ip.capability.number

    /// deny /t/a/x (rule 0), audit exec of /t/a/ip (rule 1), deny CAP_NET_ADMIN to /t/a/ip (rule 2).
    static let evaluator: ImageEvaluator = {
        let rules = [
            Rule(operation: .exec(paths: [.exact("/t/a/x")], args: nil), subject: .everyone, action: .deny, source: at),
            Rule(
                operation: .exec(paths: [.prefix("/t/a/i")], args: nil), subject: .everyone, action: .audit, source: at),
            Rule(
                operation: .capability([Tool.Kind.ip.capability]), subject: Subject(executables: [.exact(ip.path)]),
                action: .deny, source: at),
        ]
        return ImageEvaluator(
            try! PolicyCompiler.compile([Policy(name: "e", source: at, mode: .enforce, rules: rules)], generation: 1)
                .image)
    }()

    static func predict(_ event: SelftestEvent) -> Prediction {
        Prediction(event, by: evaluator, canonicalPath: event.path, identity: nil)
    }

    @Test func anAllowedExecWantsNoReport() {
        let e = Self.predict(.exec("/t/a/y"))
        #expect(e.outcome == .ran)
        #expect(e.mismatches(Observation(outcome: .ran, reports: [], dropped: 0)).isEmpty)
        let stray = Report(target: .exec(path: "/t/a/y"), decision: .audit(rules: [1]))
        #expect(!e.mismatches(Observation(outcome: .ran, reports: [stray], dropped: 0)).isEmpty)
        #expect(!e.mismatches(Observation(outcome: .execDenied, reports: [], dropped: 0)).isEmpty)
    }

    @Test func aDeniedExecWantsItsRuleOrADrop() {
        let e = Self.predict(.exec("/t/a/x"))
        #expect(e.outcome == .execDenied)
        let right = Report(target: .exec(path: "/t/a/x"), decision: .deny(rules: [0]))
        let wrongRule = Report(target: .exec(path: "/t/a/x"), decision: .deny(rules: [1]))
        #expect(e.mismatches(Observation(outcome: .execDenied, reports: [right], dropped: 0)).isEmpty)
        #expect(!e.mismatches(Observation(outcome: .execDenied, reports: [wrongRule], dropped: 0)).isEmpty)
        #expect(!e.mismatches(Observation(outcome: .execDenied, reports: [], dropped: 0)).isEmpty)
        #expect(e.mismatches(Observation(outcome: .execDenied, reports: [], dropped: 1)).isEmpty)
        #expect(!e.mismatches(Observation(outcome: .execDenied, reports: [right, right], dropped: 0)).isEmpty)
    }

    @Test func aToolIsJudgedOnItsExecThenItsCapability() {
        let e = Self.predict(.tool(Self.ip, arguments: ["link", "set", "lo", "mtu", "1400"], uid: 0))
        #expect(e.exec == .audit(rules: [1]))
        #expect(e.capability?.decision == .deny(rules: [2]))
        #expect(e.outcome == .capabilityDenied)
        let reports = [
            Report(target: .exec(path: Self.ip.path), decision: .audit(rules: [1])),
            Report(target: .capability(Self.netAdmin), decision: .deny(rules: [2])),
        ]
        #expect(e.mismatches(Observation(outcome: .capabilityDenied, reports: reports, dropped: 0)).isEmpty)
        #expect(!e.mismatches(Observation(outcome: .ran, reports: reports, dropped: 0)).isEmpty)
        #expect(!e.mismatches(Observation(outcome: .capabilityDenied, reports: [reports[0]], dropped: 0)).isEmpty)
        let mmap = Report(target: .mmapExec(path: Self.ip.path), decision: .deny(rules: [1]))
        #expect(!e.mismatches(Observation(outcome: .capabilityDenied, reports: reports + [mmap], dropped: 0)).isEmpty)
    }

    @Test func aMismatchReportHasWhatAReplayNeeds() {
        let plan = DifferentialPlan(seed: 3, root: "/t", eventsPerSet: 2)
        let set = plan.policySet(1)
        let e = Self.predict(.exec("/t/a/x"))
        let observation = Observation(outcome: .ran, reports: [], dropped: 0)
        let mismatch = DifferentialMismatch(
            seed: 3, set: set, generation: 2, eventIndex: 1, identity: FileIdentity(device: 5 << 20 | 1, inode: 77),
            prediction: e, observation: observation, problems: e.mismatches(observation), rules: [])
        let text = mismatch.report
        for needle in [
            "seed 3, policy set 1 (generation 2), event 1 of 2", "device 5:1 inode 77", "kernel:    ran",
            "problem: outcome", "apiVersion: portcullis/v1alpha1",
        ] {
            #expect(text.contains(needle), "\(needle)")
        }
    }
}
