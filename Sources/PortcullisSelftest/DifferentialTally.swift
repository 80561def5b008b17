/// Counts of what the differential selftest compared.
public struct DifferentialTally: Sendable {
    public private(set) var events = 0
    /// By the reference's outcome: exec denied, killed after exec, capability denied, ran.
    public private(set) var outcomes: [Observation.Outcome: Int] = [:]
    /// Events whose exec, or capability use, the reference audits.
    public private(set) var audited = 0
    public private(set) var toolEvents = 0
    /// Events with arguments, run as another uid than 0, outside the root cgroup.
    public private(set) var withArguments = 0
    public private(set) var otherUID = 0
    public private(set) var inCgroup = 0
    public private(set) var reports = 0
    /// Reports of the argument rules (sched_process_exec), and execs reported twice.
    public private(set) var afterExecReports = 0
    public private(set) var twiceReported = 0
    public private(set) var dropped: UInt64 = 0

    public init() {}

    public mutating func add(_ event: SelftestEvent, _ prediction: Prediction, _ observation: Observation) {
        events += 1
        outcomes[prediction.outcome, default: 0] += 1
        if prediction.audited { audited += 1 }
        if event.tool != nil { toolEvents += 1 }
        if !event.arguments.isEmpty { withArguments += 1 }
        if event.uid != 0 { otherUID += 1 }
        if event.cgroup != "/" { inCgroup += 1 }
        reports += observation.reports.count
        let execReports = observation.reports.filter {
            switch $0.target {
            case .exec, .execDone: return true
            default: return false
            }
        }
        afterExecReports += execReports.filter { if case .execDone = $0.target { true } else { false } }.count
        if execReports.count == 2 { twiceReported += 1 }
        dropped += observation.dropped
    }

    public var summary: [String] {
        let outcome = { (o: Observation.Outcome) in outcomes[o, default: 0] }
        return [
            "\(events) events agreed: \(events - toolEvents) execs, \(toolEvents) capability uses; "
                + "\(withArguments) with arguments, \(otherUID) as uid 1000/1001, \(inCgroup) in a generated cgroup",
            "outcomes: \(outcome(.execDenied)) exec denied, \(outcome(.killed)) killed after exec, "
                + "\(outcome(.capabilityDenied)) capability denied, \(outcome(.ran)) ran (\(audited) audited)",
            "decision events compared: \(reports) (\(afterExecReports) after exec; \(twiceReported) execs "
                + "reported twice); dropped by the kernel (rate limit, full ring): \(dropped)",
        ]
    }
}
