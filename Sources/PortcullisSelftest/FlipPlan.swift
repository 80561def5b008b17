import PortcullisCompiler
import PortcullisPolicy

/// Two policy sets the flip selftest swaps in alternately (odd generations set A,
/// even ones set B). They decide the same: every `a<i>` is denied, every `b<i>`
/// audited. But their rule tables are in another order: A has rule 2i = deny a<i>
/// and 2i+1 = audit b<i>, B the other way round. So every decision names a rule
/// only its own generation has for that path, and a program that read one
/// generation's DFA with the other's rule table would audit a<i>, and run it.
public struct FlipPlan: Sendable {
    public let denied: [String]
    public let audited: [String]
    /// Set A, then set B, compiled at generation 0.
    public let sets: [CompiledPolicy]
    private let evaluators: [ImageEvaluator]

    /// `pairs` denied and audited paths under `root`: more rules give more events,
    /// as the kernel's rate limit is per rule.
    public init(root: String, pairs: Int) throws(CompileError) {
        denied = (0..<pairs).map { "\(root)/a\($0)" }
        audited = (0..<pairs).map { "\(root)/b\($0)" }
        let source = SourceLocation(file: "flips", line: 1, column: 1)
        let deny = denied.map {
            Rule(operation: .exec(paths: [.exact($0)], args: nil), subject: .everyone, action: .deny, source: source)
        }
        let audit = audited.map {
            Rule(operation: .exec(paths: [.exact($0)], args: nil), subject: .everyone, action: .audit, source: source)
        }
        let a = zip(deny, audit).flatMap { [$0, $1] }
        let b = zip(audit, deny).flatMap { [$0, $1] }
        sets = try [a, b].map { (rules) throws(CompileError) in
            try PolicyCompiler.compile(
                [Policy(name: "flips", source: source, mode: .enforce, rules: rules)], generation: 0)
        }
        evaluators = sets.map { ImageEvaluator($0.image) }
    }

    public var paths: [String] { zip(denied, audited).flatMap { [$0, $1] } }

    /// 0 (set A) for odd generations, 1 (set B) for even ones.
    public static func set(of generation: UInt64) -> Int { generation % 2 == 1 ? 0 : 1 }

    public func image(generation: UInt64) -> PolicyImage {
        sets[Self.set(of: generation)].image.withGeneration(generation)
    }

    /// What is wrong with a report of `generation`, or nil. Checked twice: against
    /// the reference evaluator of that generation, and against its rule list (the
    /// rule named must be an exec rule on that very path with that action).
    public func mismatch(_ report: Report, generation: UInt64) -> String? {
        guard case .exec(let path) = report.target, paths.contains(path) else {
            return "unexpected report \(report) in generation \(generation)"
        }
        let set = Self.set(of: generation)
        let reference = evaluators[set].exec(path: Array(path.utf8)).reported
        guard report.decision == reference else {
            return
                "generation \(generation) (set \(set == 0 ? "A" : "B")): kernel \(report), "
                + "reference \(reference.map { "\($0)" } ?? "no report")"
        }
        let rules = sets[set].rules
        let named: Int?
        switch report.decision {
        case .deny(let r), .audit(let r): named = r.first
        case .allow, .denyUnreadable: named = nil
        }
        guard let named, rules.indices.contains(named), case .exec(let rulePaths, _, _) = rules[named].rule.operation,
            rulePaths == [.exact(path)], report.decision.isDeny == (rules[named].action == .deny)
        else {
            return
                "generation \(generation): \(report) names a rule that is not an exec rule on \(path) with that action"
        }
        return nil
    }

    /// Whether a worker's outcome for `path` is one some generation allows: a path
    /// both sets deny never runs, and one neither denies always does.
    public func outcomeMismatch(path: String, ran: Bool) -> String? {
        let denials = evaluators.map { $0.exec(path: Array(path.utf8)).isDeny }
        if ran && !denials.contains(false) { return "\(path) ran, but every generation denies it" }
        if !ran && !denials.contains(true) { return "\(path) was denied, but no generation denies it" }
        return nil
    }
}
