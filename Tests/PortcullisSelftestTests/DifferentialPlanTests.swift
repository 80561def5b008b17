import PortcullisCompiler
import PortcullisPolicy
import PortcullisSelftest
import Testing

@Suite struct DifferentialPlanTests {
    static let root = "/tmp/pc-tree"

    @Test func sameSeedSamePoliciesAndEvents() {
        let a = DifferentialPlan(seed: 99, root: Self.root, eventsPerSet: 40)
        let b = DifferentialPlan(seed: 99, root: Self.root, eventsPerSet: 40)
        for index in 0..<5 { #expect(a.policySet(index) == b.policySet(index)) }
        let other = DifferentialPlan(seed: 100, root: Self.root, eventsPerSet: 40)
        #expect((0..<5).contains { a.policySet($0) != other.policySet($0) })
        #expect(a.policySet(0) != a.policySet(1))
    }

    /// Every generated set compiles whole (no rule skipped), and no rule reaches
    /// outside the tree: the selftest must not deny what it runs on.
    @Test(arguments: 1...40) func compilesWholeAndStaysInsideTheTree(seed: UInt64) throws {
        let set = DifferentialPlan(seed: seed, root: Self.root, eventsPerSet: 1).policySet(Int(seed % 7))
        let compiled = try PolicyCompiler.compile(set.policies, generation: 1)
        #expect(compiled.diagnostics.isEmpty)
        // Every rule is in the table but capability allows, which become exceptions of their policy's subjects.
        let capabilityAllows = set.policies.flatMap(\.rules).filter { rule in
            if case .capability = rule.operation { return rule.action == .allow }
            return false
        }
        #expect(compiled.rules.count == set.policies.reduce(0) { $0 + $1.rules.count } - capabilityAllows.count)
        let evaluator = ImageEvaluator(compiled.image)
        for outside in ["/usr/bin/true", "/bin/busybox", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/tmp/pc-treex/a/x"] {
            #expect(evaluator.exec(path: Array(outside.utf8)) == .allow, "\(outside)")
        }
    }

    @Test func eventsUseTheTree() {
        let plan = DifferentialPlan(seed: 5, root: Self.root, eventsPerSet: 300)
        let events = plan.policySet(2).events
        #expect(events.contains { $0.tool?.kind == .ip } && events.contains { $0.tool?.kind == .mknod })
        #expect(events.contains { $0.tool == nil })
        for event in events {
            #expect(event.path.hasPrefix(Self.root + "/"))
            if event.tool == nil { #expect(plan.tree.programs.contains(event.path)) }
        }
        let nodes = events.filter { $0.tool?.kind == .mknod }.map { $0.arguments[0] }
        #expect(Set(nodes).count == nodes.count, "each mknod creates a node of its own")
    }

    /// The YAML in failure reports reads back as the very policies that failed.
    @Test(arguments: 1...30) func yamlReadsBackAsTheSamePolicies(seed: UInt64) {
        let policies = DifferentialPlan(seed: seed, root: Self.root, eventsPerSet: 0).policySet(0).policies
        let file = PolicyReader.read(Array(PolicyYAML.render(policies).utf8), file: "r.yaml")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        #expect(file.policies.map(Self.withoutSources) == policies.map(Self.withoutSources))
    }

    static func withoutSources(_ policy: Policy) -> Policy {
        let nowhere = SourceLocation(file: "", line: 0, column: 0)
        var policy = policy
        policy.source = nowhere
        policy.rules = policy.rules.map { rule in
            var rule = rule
            rule.source = nowhere
            return rule
        }
        return policy
    }
}

/// The generator reaches the conditions the differential must cover.
@Suite struct DifferentialCoverageTests {
    static let root = "/tmp/pc-tree"
    static let launcher = SelftestLauncher(
        executable: "/opt/portcullis", arguments: ["selftest", "differential", "--seed", "7"], bash: "/usr/bin/bash")

    @Test func eventsHaveArgumentsUIDsAndCgroups() {
        let events = (0..<4).flatMap { DifferentialPlan(seed: 11, root: Self.root, eventsPerSet: 200).policySet($0).events }
        #expect(events.allSatisfy { DifferentialPlan.eventCgroups.contains($0.cgroup) })
        #expect(Set(events.map(\.cgroup)) == Set(DifferentialPlan.eventCgroups))
        // Texts the kernel cannot read whole: a cgroup too deep, one cut, arguments too long.
        #expect(events.contains { $0.cgroup.split(separator: "/").count > 16 })
        #expect(events.contains { $0.cgroup.utf8.count > 256 })
        #expect(events.contains { $0.tool == nil && $0.arguments.joined().utf8.count > 4096 })
        // Some of root's execs run chrooted into the tree, by programs that resolve there;
        // others in a mount namespace of their own, through a bind mount of the tree.
        let chrooted = events.filter { if case .chroot = $0.view { return true } else { return false } }
        let bound = events.filter { if case .bound = $0.view { return true } else { return false } }
        #expect(!chrooted.isEmpty && !bound.isEmpty)
        #expect(chrooted.allSatisfy { $0.view == .chroot(Self.root) && $0.path.hasPrefix(Self.root + "/") })
        #expect(chrooted.allSatisfy { $0.uid == 0 && $0.tool == nil && !$0.path.hasSuffix("/l/xy") })
        #expect(bound.allSatisfy { $0.view == .bound(Self.root, at: Self.root + "/v") && $0.uid == 0 && $0.tool == nil })
        #expect(DifferentialPlan.eventCgroups.allSatisfy(DifferentialPlan.cgroups.contains))
        for (i, path) in DifferentialPlan.cgroups.enumerated() where path != "/" {
            let parent = String(path[..<path.lastIndex(of: "/")!])
            #expect(parent.isEmpty || DifferentialPlan.cgroups[..<i].contains(parent), "\(path) before its parent")
        }
        let execs = events.filter { $0.tool == nil }
        #expect(execs.contains { !$0.arguments.isEmpty } && execs.contains { $0.arguments.isEmpty })
        #expect(execs.contains { $0.uid != 0 } && execs.contains { $0.uid == 0 })
    }

    @Test func policiesHaveExecConditionsAndPlaces() {
        let rules = (0..<30).flatMap {
            DifferentialPlan(seed: 11, root: Self.root, eventsPerSet: 0).policySet($0).policies.flatMap(\.rules)
        }
        #expect(rules.contains { if case .exec(_, let args, _) = $0.operation { args != nil } else { false } })
        #expect(rules.contains { if case .exec = $0.operation { !$0.subject.isEveryone } else { false } })
        #expect(rules.contains { !$0.subject.units.isEmpty } && rules.contains { !$0.subject.cgroups.isEmpty })
        #expect(rules.contains { $0.subject.except.contains { !$0.units.isEmpty || !$0.cgroups.isEmpty } })
        // exec allows with conditions: decided where they hold, in the kernel
        #expect(rules.contains { if case .exec(_, let args, _) = $0.operation { $0.action == .allow && args != nil } else { false } })
        #expect(rules.contains { if case .exec = $0.operation { $0.action == .allow && !$0.subject.isEveryone } else { false } })
    }

    /// Over a run's worth of sets, the reference predicts every outcome the kernel is
    /// compared on: kills after exec, execs reported twice, caller denials.
    @Test func predictionsReachKillsDoubleReportsAndCallerDenials() throws {
        let plan = DifferentialPlan(seed: 20261127, root: Self.root, eventsPerSet: 90)
        var outcomes: [Observation.Outcome: Int] = [:]
        var twice = 0
        var callerDenials = 0
        for index in 0..<40 {
            let set = plan.policySet(index)
            let evaluator = ImageEvaluator(try PolicyCompiler.compile(set.policies, generation: 1).image)
            for event in set.events {
                let p = Prediction(
                    event, by: evaluator, canonicalPath: event.path, identity: nil, caller: Self.launcher.caller(event))
                outcomes[p.outcome, default: 0] += 1
                if p.reports.filter({ if case .capability = $0.target { false } else { true } }).count == 2 { twice += 1 }
                let anyone = evaluator.execSteps(path: Array(event.path.utf8), arguments: event.arguments)
                if p.exec.atHook.isDeny != anyone.atHook.isDeny { callerDenials += 1 }
            }
        }
        #expect(outcomes[.killed, default: 0] >= 20, "\(outcomes)")
        #expect(outcomes[.execDenied, default: 0] >= 100 && outcomes[.capabilityDenied, default: 0] >= 50, "\(outcomes)")
        #expect(twice >= 10, "\(twice) \(callerDenials) \(outcomes)")
        #expect(callerDenials >= 10, "\(callerDenials)")
    }
}
