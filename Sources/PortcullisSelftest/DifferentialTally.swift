/// Counts of what the differential selftest compared.
public struct DifferentialTally: Sendable {
    public private(set) var events = 0
    /// By the reference's outcome: exec denied, capability denied, ran.
    public private(set) var outcomes: [Observation.Outcome: Int] = [:]
    /// Events whose exec, or capability use, the reference audits.
    public private(set) var audited = 0
    public private(set) var toolEvents = 0
    public private(set) var reports = 0
    public private(set) var dropped: UInt64 = 0

    public init() {}

    public mutating func add(_ prediction: Prediction, _ observation: Observation, tool: Bool) {
        events += 1
        outcomes[prediction.outcome, default: 0] += 1
        if case .audit = prediction.exec {
            audited += 1
        } else if case .audit = prediction.capability?.decision {
            audited += 1
        }
        if tool { toolEvents += 1 }
        reports += observation.reports.count
        dropped += observation.dropped
    }

    public var summary: [String] {
        let outcome = { (o: Observation.Outcome) in outcomes[o, default: 0] }
        return [
            "\(events) events agreed: \(events - toolEvents) execs, \(toolEvents) capability uses",
            "outcomes: \(outcome(.execDenied)) exec denied, \(outcome(.capabilityDenied)) capability denied, "
                + "\(outcome(.ran)) ran (\(audited) of them audited)",
            "decision events compared: \(reports); dropped by the kernel (rate limit, full ring): \(dropped)",
        ]
    }
}
