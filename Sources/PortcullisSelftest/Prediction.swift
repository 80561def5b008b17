import PortcullisCompiler

/// What the kernel did for one selftest event.
public struct Observation: Sendable, Equatable, CustomStringConvertible {
    public enum Outcome: String, Sendable, Hashable {
        case execDenied = "exec denied (EPERM)"
        /// Allowed by the exec hook, denied once the exec completed (argument rules):
        /// SIGKILL before the program's first instruction, exit status 137.
        case killed = "killed after exec (SIGKILL)"
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
    /// The task calling the exec, as the kernel knows it.
    public var caller: ImageEvaluator.Task
    /// The exec hook's decision, and the argument rules' once the exec completed.
    public var exec: ImageEvaluator.ExecSteps
    /// For a tool: its capability and the decision on its use (after an allowed exec).
    public var capability: (number: Int, decision: ImageEvaluator.Decision)?

    public init(
        _ event: SelftestEvent, by evaluator: ImageEvaluator, canonicalPath: String, identity: FileIdentity?,
        content: ImageEvaluator.Content = .unknown, caller: ImageEvaluator.Task = .unrecorded
    ) {
        self.canonicalPath = canonicalPath
        self.caller = caller
        let arguments = ImageEvaluator.Task.readableArguments(argv0: event.applet, event.arguments)
        exec = evaluator.execSteps(
            path: Array(canonicalPath.utf8), identity: identity, content: content, caller: caller,
            arguments: arguments)
        guard let tool = event.tool, !exec.decision.isDeny else { return }
        let task = ImageEvaluator.Task(
            executable: canonicalPath, arguments: arguments, uid: event.uid, cgroup: event.cgroup)
        let number = tool.kind.capability.number
        capability = (number, evaluator.capable(number, by: task))
    }

    public var outcome: Observation.Outcome {
        if exec.atHook.isDeny { return .execDenied }
        if exec.decision.isDeny { return .killed }
        if let capability, capability.decision.isDeny { return .capabilityDenied }
        return .ran
    }

    /// Whether the exec, or the capability use, is audited (and not denied).
    public var audited: Bool {
        if case .audit = exec.decision { return true }
        if case .audit = capability?.decision { return true }
        return false
    }

    /// The decision events the kernel sends: the exec hook's (a denial or an audit);
    /// once the exec completed, when the hook did not deny, the argument rules' (a
    /// second report for one exec when both audit, or the hook audits and the
    /// argument rules deny); then the capability use's.
    public var reports: [Report] {
        var reports: [Report] = []
        if let hook = exec.atHook.reported { reports.append(Report(target: .exec(path: canonicalPath), decision: hook)) }
        if !exec.atHook.isDeny, let after = exec.afterExec?.reported {
            reports.append(Report(target: .execDone(path: canonicalPath), decision: after))
        }
        if let capability, let reported = capability.decision.reported {
            reports.append(Report(target: .capability(capability.number), decision: reported))
        }
        return reports
    }

    public var description: String {
        let after = exec.afterExec.map { ", after exec: \($0)" } ?? ""
        let cap = capability.map { "; capability \($0.number): \($0.decision)" } ?? ""
        return "\(outcome.rawValue); exec \(canonicalPath): at the hook \(exec.atHook)\(after)\(cap)"
    }

    /// How `observation` differs from this prediction; empty when it does not.
    /// A report may be missing only when the kernel counted as many dropped events.
    public func mismatches(_ observation: Observation) -> [String] {
        var problems: [String] = []
        if observation.outcome != outcome {
            problems.append("outcome: kernel \(observation.outcome.rawValue), reference \(outcome.rawValue)")
        }
        var wanted = reports
        for report in observation.reports {
            if let at = wanted.firstIndex(of: report) {
                wanted.remove(at: at)
            } else {
                let expected = reports.filter { $0.target == report.target }
                problems.append(
                    "unexpected report \(report); reference "
                        + (expected.isEmpty ? "none for \(report.target)" : expected.map(\.description).joined(separator: ", ")))
            }
        }
        if UInt64(wanted.count) > observation.dropped {
            problems.append(
                "missing report(s) \(wanted.map(\.description).joined(separator: "; ")), "
                    + "\(observation.dropped) dropped")
        }
        return problems
    }
}
