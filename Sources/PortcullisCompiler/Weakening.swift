import PortcullisPolicy

/// What a new set of rules gives up against the set in force: once enforcement is
/// locked, a generation with any of these is refused (stronger ones still apply).
///
/// Rules compare by policy, operation, subject and action, never by where they are
/// written: moving a rule within its file, or reordering files, weakens nothing. A
/// rule that changed in any way counts as removed (the new one may well be
/// stronger, but that is not decided here: fail closed).
public struct Weakening: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// A deny or audit rule is gone (or changed).
        case removed
        /// A deny rule became an audit (its policy went to audit mode, or the rule did).
        case relaxed
        /// An allow rule is new: it carves an exception out of its policy's denies.
        case allowAdded = "allow-added"
    }

    public var kind: Kind
    public var policy: String
    /// The rule, as `portcullis status` words it.
    public var rule: String

    public var description: String {
        switch kind {
        case .removed: return "policy \(policy): rule removed or changed: \(rule)"
        case .relaxed: return "policy \(policy): deny turned audit: \(rule)"
        case .allowAdded: return "policy \(policy): allow rule added: \(rule)"
        }
    }

    /// A rule's identity for the comparison.
    private struct Identity: Hashable {
        var policy: String
        var operation: Operation
        var subject: Subject

        init(_ rule: CompiledRule) {
            policy = rule.policy
            operation = rule.rule.operation
            subject = rule.rule.subject
        }
    }

    /// The weakenings of `new` against `old`, in `old`'s order then `new`'s; empty when
    /// `new` keeps every deny and audit of `old` (an audit may become a deny) and adds
    /// no allow.
    public static func of(_ new: [CompiledRule], against old: [CompiledRule]) -> [Weakening] {
        var newActions: [Identity: Set<Action>] = [:]
        for rule in new { newActions[Identity(rule), default: []].insert(rule.action) }
        var oldActions: [Identity: Set<Action>] = [:]
        for rule in old { oldActions[Identity(rule), default: []].insert(rule.action) }
        var found: [Weakening] = []
        var seen: Set<Weakening> = []
        func add(_ kind: Kind, _ rule: CompiledRule) {
            let weakening = Weakening(kind: kind, policy: rule.policy, rule: rule.rule.operation.summary)
            if seen.insert(weakening).inserted { found.append(weakening) }
        }
        for rule in old {
            let now = newActions[Identity(rule)] ?? []
            switch rule.action {
            case .deny where !now.contains(.deny):
                add(now.contains(.audit) ? .relaxed : .removed, rule)
            case .audit where !now.contains(.audit) && !now.contains(.deny):
                add(.removed, rule)
            case .deny, .audit, .allow:
                break
            }
        }
        for rule in new where rule.action == .allow && !(oldActions[Identity(rule)] ?? []).contains(.allow) {
            add(.allowAdded, rule)
        }
        return found
    }
}
