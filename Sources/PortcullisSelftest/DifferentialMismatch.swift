import PortcullisCompiler
import PortcullisPolicy

/// Everything needed to understand and replay one disagreement between the kernel
/// and the reference evaluator.
public struct DifferentialMismatch: Sendable {
    public var seed: UInt64
    public var set: DifferentialPlan.PolicySet
    public var generation: UInt64
    public var eventIndex: Int
    public var identity: FileIdentity?
    public var prediction: Prediction
    public var observation: Observation
    public var problems: [String]
    public var rules: [CompiledRule]

    public init(
        seed: UInt64, set: DifferentialPlan.PolicySet, generation: UInt64, eventIndex: Int, identity: FileIdentity?,
        prediction: Prediction, observation: Observation, problems: [String], rules: [CompiledRule]
    ) {
        (self.seed, self.set, self.generation, self.eventIndex, self.identity) = (
            seed, set, generation, eventIndex, identity
        )
        (self.prediction, self.observation, self.problems, self.rules) = (prediction, observation, problems, rules)
    }

    public var report: String {
        let event = set.events[eventIndex]
        let file =
            identity.map { "device \($0.device >> 20):\($0.device & 0xfffff) inode \($0.inode)" } ?? "no identity"
        var out = """
              seed \(seed), policy set \(set.index) (generation \(generation)), \
            event \(eventIndex) of \(set.events.count)
              event:     \(event)
              executed:  \(event.path) = \(prediction.canonicalPath) (\(file))
              caller:    \(Self.describe(prediction.caller))
              kernel:    \(observation)
              reference: \(prediction)

            """
        out += problems.map { "  problem: \($0)\n" }.joined()
        out += "  rules of the generation:\n"
        out += rules.map { "    \($0.index): \(Self.describe($0))\n" }.joined()
        out += "  policies (native YAML):\n"
        out += PolicyYAML.render(set.policies).split(separator: "\n").map {
            "    \($0)\n"
        }.joined()
        return out
    }

    static func describe(_ task: ImageEvaluator.Task) -> String {
        let text = { (bytes: [UInt8]?) in bytes.map { String(decoding: $0, as: UTF8.self) } ?? "unknown" }
        let arguments = task.arguments.map { "`\($0.joined(separator: " "))`" } ?? "unknown"
        return "\(text(task.executable)) with arguments \(arguments), uid \(task.uid), cgroup \(text(task.cgroup))"
    }

    static func describe(_ rule: CompiledRule) -> String {
        let operation: String
        switch rule.rule.operation {
        case .exec(let paths, let args, _): operation = "exec \(paths)" + (args.map { " args /\($0)/" } ?? "")
        case .capability(let capabilities): operation = "capability \(capabilities)"
        case .mount(let match): operation = "mount \(match)"
        }
        let s = rule.rule.subject
        let subject = s.isEveryone && s.except.isEmpty ? "everyone" : PolicyYAML.flow(PolicyYAML.fields(of: s))
        return "\(rule.action.rawValue) \(operation) by \(subject) (policy \(rule.policy), \(rule.rule.source))"
    }
}
