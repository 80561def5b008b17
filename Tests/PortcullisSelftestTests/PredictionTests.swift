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
        #expect(e.exec.atHook == .audit(rules: [1]))
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

/// Exec rules with argument and caller conditions, and unit/cgroup subjects, as the
/// differential selftest predicts them.
@Suite struct ConditionPredictionTests {
    static let at = SourceLocation(file: "c.yaml", line: 1, column: 1)
    static let tree = ScratchTree(root: "/t")
    static let ip = tree.tools.first { $0.kind == .ip }!
    static let launcher = SelftestLauncher(
        executable: "/opt/portcullis", arguments: ["selftest", "differential", "--seed", "7"], bash: "/usr/bin/bash")

    static func evaluator(_ rules: [(Operation, Subject, Action)]) -> ImageEvaluator {
        let policy = Policy(
            name: "c", source: at, mode: .enforce,
            rules: rules.map { Rule(operation: $0.0, subject: $0.1, action: $0.2, source: at) })
        let compiled = try! PolicyCompiler.compile([policy], generation: 1)
        #expect(compiled.diagnostics.isEmpty, "\(compiled.diagnostics)")
        return ImageEvaluator(compiled.image)
    }

    static func predict(_ event: SelftestEvent, _ evaluator: ImageEvaluator) -> Prediction {
        Prediction(event, by: evaluator, canonicalPath: event.path, identity: nil, caller: launcher.caller(event))
    }

    /// deny /t/a/x run with `exec…` (rule 0, after exec); audit /t/a/ (rule 1, at the hook);
    /// audit /t/a/ run with `get…` (rule 2, after exec).
    static let args = evaluator([
        (.exec(paths: [.exact("/t/a/x")], args: "^exec( |$)"), .everyone, .deny),
        (.exec(paths: [.prefix("/t/a/")], args: nil), .everyone, .audit),
        (.exec(paths: [.prefix("/t/a/")], args: "^get"), .everyone, .audit),
    ])

    @Test func anArgumentDenialKillsAfterTheHooksAudit() {
        let e = Self.predict(.exec("/t/a/x", arguments: ["exec", "pod"]), Self.args)
        #expect(e.outcome == .killed)
        let hook = Report(target: .exec(path: "/t/a/x"), decision: .audit(rules: [1]))
        let after = Report(target: .execDone(path: "/t/a/x"), decision: .deny(rules: [0]))
        #expect(e.reports == [hook, after])
        #expect(e.mismatches(Observation(outcome: .killed, reports: [hook, after], dropped: 0)).isEmpty)
        // EPERM from execve is another outcome; a hook's denial is another report.
        #expect(!e.mismatches(Observation(outcome: .execDenied, reports: [hook, after], dropped: 0)).isEmpty)
        let atHook = Report(target: .exec(path: "/t/a/x"), decision: .deny(rules: [0]))
        #expect(!e.mismatches(Observation(outcome: .killed, reports: [hook, atHook], dropped: 0)).isEmpty)
        #expect(!e.mismatches(Observation(outcome: .killed, reports: [after], dropped: 0)).isEmpty)
        #expect(e.mismatches(Observation(outcome: .killed, reports: [after], dropped: 1)).isEmpty)
        #expect(!e.mismatches(Observation(outcome: .killed, reports: [], dropped: 1)).isEmpty)
    }

    @Test func anExecAuditedAtTheHookAndAfterItIsReportedTwice() {
        let e = Self.predict(.exec("/t/a/y", arguments: ["get", "pods"]), Self.args)
        #expect(e.outcome == .ran)
        #expect(e.audited)
        let both = [
            Report(target: .exec(path: "/t/a/y"), decision: .audit(rules: [1])),
            Report(target: .execDone(path: "/t/a/y"), decision: .audit(rules: [2])),
        ]
        #expect(e.reports == both)
        #expect(e.mismatches(Observation(outcome: .ran, reports: both, dropped: 0)).isEmpty)
        #expect(!e.mismatches(Observation(outcome: .ran, reports: [both[0]], dropped: 0)).isEmpty)
        // Without matching arguments: the hook's audit only.
        let plain = Self.predict(.exec("/t/a/y", arguments: ["x"]), Self.args)
        #expect(plain.reports == [both[0]])
        #expect(!plain.mismatches(Observation(outcome: .ran, reports: both, dropped: 0)).isEmpty)
    }

    @Test func theCallerIsTheSelftestOrBashWithTheEventsUIDAndCgroup() {
        let event = SelftestEvent.exec("/t/a/x", arguments: ["get", "pods"], uid: 1000, cgroup: "/pcd-jobs/7")
        let command = Self.launcher.command(event)
        #expect(command.path == SelftestLauncher.setpriv)
        #expect(command.arguments.suffix(7) == ["/bin/bash", "-c", SelftestLauncher.bashScript, "true", "/t/a/x", "get", "pods"])
        let bash = Self.launcher.caller(event)
        #expect(bash.executable == Array("/usr/bin/bash".utf8) && bash.uid == 1000)
        #expect(bash.arguments == ["-c", SelftestLauncher.bashScript, "true", "/t/a/x", "get", "pods"])
        #expect(bash.cgroup == Array("/pcd-jobs/7".utf8))
        let root = SelftestEvent.exec("/t/a/x", arguments: ["exec"])
        #expect(Self.launcher.command(root).path == "/t/a/x" && Self.launcher.command(root).arguments == ["exec"])
        let selftest = Self.launcher.caller(root)
        #expect(selftest.executable == Array("/opt/portcullis".utf8) && selftest.uid == 0)
        #expect(selftest.arguments == Self.launcher.arguments && selftest.cgroup == Array("/".utf8))
    }

    @Test func aCallerConditionIsDecidedAtTheHook() {
        // deny /t/b/ to bash callers in a pcd.slice unit, but uid 1001.
        let e = Self.evaluator([
            (
                .exec(paths: [.prefix("/t/b/")], args: nil),
                Subject(executables: [.regex("/bash$")], units: ["pcd.slice"], except: [Subject(uids: [1001])]),
                .deny
            )
        ])
        let inSlice = "/pcd.slice/pcd-web.service"
        #expect(Self.predict(.exec("/t/b/x", uid: 1000, cgroup: inSlice), e).outcome == .execDenied)
        #expect(Self.predict(.exec("/t/b/x", uid: 1000, cgroup: inSlice), e).reports.first?.target == .exec(path: "/t/b/x"))
        #expect(Self.predict(.exec("/t/b/x", uid: 1001, cgroup: inSlice), e).outcome == .ran)
        #expect(Self.predict(.exec("/t/b/x", uid: 1000, cgroup: "/pcd-jobs/7"), e).outcome == .ran)
        #expect(Self.predict(.exec("/t/b/x", uid: 0, cgroup: inSlice), e).outcome == .ran)  // the selftest is no bash
    }

    @Test func aToolsCapabilityIsDecidedInItsCgroup() {
        let e = Self.evaluator([
            (
                .capability([Tool.Kind.ip.capability]),
                Subject(units: ["pcd-web.service"], cgroups: [.regex("^/pcd-jobs/[0-9]+$")]), .deny
            )
        ])
        let ip = { (cgroup: String) in
            Self.predict(.tool(Self.ip, arguments: ["link", "set", "lo", "mtu", "1400"], uid: 0, cgroup: cgroup), e)
        }
        #expect(ip("/pcd.slice/pcd-web.service/worker").outcome == .capabilityDenied)
        #expect(ip("/pcd-jobs/7").outcome == .capabilityDenied)
        #expect(ip("/pcd.slice/pcd-db.service").outcome == .ran)
        #expect(ip("/").outcome == .ran)
    }
}
