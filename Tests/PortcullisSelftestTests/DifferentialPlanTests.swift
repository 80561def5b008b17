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
