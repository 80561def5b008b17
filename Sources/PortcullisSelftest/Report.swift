import PortcullisCompiler

/// One decision event as the kernel reported it, in the reference's terms: the
/// decision carries exactly the one rule the event names.
public struct Report: Sendable, Equatable, CustomStringConvertible {
    public enum Target: Sendable, Hashable, CustomStringConvertible {
        /// The exec hook (bprm_check_security).
        case exec(path: String)
        /// The argument rules once the exec completed (sched_process_exec).
        case execDone(path: String)
        case mmapExec(path: String)
        case capability(Int)
        case other(String)

        public var description: String {
            switch self {
            case .exec(let path): return "exec \(path)"
            case .execDone(let path): return "exec \(path) (after exec)"
            case .mmapExec(let path): return "mmap-exec \(path)"
            case .capability(let number): return "capability \(number)"
            case .other(let what): return what
            }
        }
    }

    public var target: Target
    public var decision: ImageEvaluator.Decision

    public init(target: Target, decision: ImageEvaluator.Decision) {
        self.target = target
        self.decision = decision
    }

    public var description: String { "\(target): \(decision)" }
}

extension ImageEvaluator.Decision {
    /// What a decision event carries for this decision: the kernel names the first
    /// deciding rule (the first of the strongest action in the accept list, or of the
    /// lowest subject id). nil for an allow, which is never reported.
    public var reported: ImageEvaluator.Decision? {
        switch self {
        case .allow: return nil
        case .audit(let rules): return .audit(rules: Array(rules.prefix(1)))
        case .deny(let rules): return .deny(rules: Array(rules.prefix(1)))
        case .denyUnreadable: return .denyUnreadable
        }
    }

    public var isDeny: Bool {
        switch self {
        case .deny, .denyUnreadable: return true
        case .allow, .audit: return false
        }
    }
}
