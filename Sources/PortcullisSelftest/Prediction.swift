import PortcullisCompiler

/// What the kernel did for one selftest event.
public struct Observation: Sendable, Equatable, CustomStringConvertible {
    public enum Outcome: String, Sendable, Hashable {
        case execDenied = "exec denied (EPERM)"
        case capabilityDenied = "capability denied (EPERM)"
        case ran
    }

    public var outcome: Outcome
    public var reports: [Report]
    /// Events the kernel counted as dropped meanwhile (rate limit, full ring).
    public var dropped: UInt64

    public init(outcome: Outcome, reports: [Report], dropped: UInt64) {
        self.outcome = outcome
        self.reports = reports
        self.dropped = dropped
    }

    public var description: String {
        "\(outcome.rawValue); reports [\(reports.map(\.description).joined(separator: "; "))]; dropped \(dropped)"
    }
}

/// What the reference evaluator predicts the kernel does for one event.
public struct Prediction: Sendable, CustomStringConvertible {
    /// The path the kernel sees: the canonical path of the file executed.
    public var canonicalPath: String
    public var exec: ImageEvaluator.Decision
    /// For a tool: its capability and the decision on its use (after an allowed exec).
    public var capability: (number: Int, decision: ImageEvaluator.Decision)?

    public init(
        _ event: SelftestEvent, by evaluator: ImageEvaluator, canonicalPath: String, identity: FileIdentity?
    ) {
        self.canonicalPath = canonicalPath
        exec = evaluator.exec(path: Array(canonicalPath.utf8), identity: identity)
        guard case .tool(let tool, let arguments, let uid) = event, !exec.isDeny else { return }
        let task = ImageEvaluator.Task(executable: canonicalPath, arguments: arguments, uid: uid)
        let number = tool.kind.capability.number
        capability = (number, evaluator.capable(number, by: task))
    }

    public var outcome: Observation.Outcome {
        if exec.isDeny { return .execDenied }
        if let capability, capability.decision.isDeny { return .capabilityDenied }
        return .ran
    }

    public var description: String {
        let cap = capability.map { "; capability \($0.number): \($0.decision)" } ?? ""
        return "\(outcome.rawValue); exec \(canonicalPath): \(exec)\(cap)"
    }

    /// How `observation` differs from this prediction; empty when it does not.
    /// A report may be missing only when the kernel counted a dropped event.
    public func mismatches(_ observation: Observation) -> [String] {
        var problems: [String] = []
        if observation.outcome != outcome {
            problems.append("outcome: kernel \(observation.outcome.rawValue), reference \(outcome.rawValue)")
        }
        var execReports = 0
        var capabilityReports = 0
        for report in observation.reports {
            switch report.target {
            case .exec(let path) where path == canonicalPath:
                execReports += 1
                if report.decision != exec.reported {
                    problems.append(
                        "exec report \(report.decision), reference \(exec.reported.map { "\($0)" } ?? "no report")")
                }
            case .capability(let number) where number == capability?.number:
                capabilityReports += 1
                if report.decision != capability?.decision.reported {
                    problems.append(
                        "capability report \(report.decision), "
                            + "reference \(capability.map { "\($0.decision)" } ?? "none")"
                    )
                }
            default:
                problems.append("unexpected report \(report)")
            }
        }
        let execWanted = exec.reported == nil ? 0 : 1
        if execReports > execWanted || (execReports < execWanted && observation.dropped == 0) {
            problems.append("\(execReports) exec report(s), reference \(execWanted)")
        }
        if capability?.decision.reported == nil, capabilityReports > 0 {
            problems.append("\(capabilityReports) capability report(s) for an allowed use")
        }
        if capability?.decision.reported != nil, capabilityReports == 0, observation.dropped == 0 {
            problems.append("no capability report, and none dropped")
        }
        return problems
    }
}
