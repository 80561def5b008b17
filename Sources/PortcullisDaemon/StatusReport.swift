import Glibc
import PortcullisCompiler
import PortcullisKernel

/// `portcullis status`: what the kernel enforces (from the pins) named with
/// what the daemon last wrote (the state file), and whether a daemon runs.
public struct StatusReport: Codable, Sendable, Equatable {
    public struct Rule: Codable, Sendable, Equatable {
        public var index: Int
        public var key: String
        /// Decisions made (denies and audits), since the rule first had its key.
        public var hits: UInt64
        /// The policy, action, operation and place: nil when the state file
        /// describes another generation than the kernel holds.
        public var policy: String?
        public var action: String?
        public var operation: String?
        public var source: String?
    }

    /// Whether programs are attached (their link pins are there).
    public var enforcing: Bool
    public var pins: String
    public var programs: [String: UInt32]
    /// The generation in the kernel, nil when none was ever installed.
    public var generation: UInt64?
    public var appliedAt: Double?
    public var ruleCount: Int
    /// The daemon that wrote the state file, and whether it still runs.
    public var daemonPID: Int32?
    public var daemonRunning: Bool
    public var policyDirectory: String?
    public var policies: [DaemonState.PolicyState]
    public var rules: [Rule]
    public var files: [DaemonState.FileState]
    /// Errors and warnings of the daemon's last reload.
    public var problems: [DaemonState.Problem]
    /// Said when the state file and the kernel disagree, or there is no state file.
    public var notes: [String]
    public var eventsSent: UInt64
    public var eventsDroppedByRateLimit: UInt64
    public var eventsDroppedRingFull: UInt64
    /// Enforcement is locked until reboot (as the daemon's state file says).
    public var locked: Bool
    /// Attempts on portcullis since the daemon started, as its state file says.
    public var tampering: DaemonState.Tampering?

    public init(kernel: PinnedStatus, pins: String, state: DaemonState?, isRunning: (Int32) -> Bool = StatusReport.isRunning) {
        enforcing = kernel.programIDs.count == Enforcer.programs.count
        self.pins = pins
        programs = kernel.programIDs
        generation = kernel.generation
        ruleCount = kernel.ruleCount
        daemonPID = state?.pid
        daemonRunning = state.map { isRunning($0.pid) } ?? false
        policyDirectory = state?.policyDirectory
        files = state?.files ?? []
        problems = state?.problems ?? []
        eventsSent = kernel.statistics.sent
        eventsDroppedByRateLimit = kernel.statistics.droppedByRateLimit
        eventsDroppedRingFull = kernel.statistics.droppedRingFull
        locked = state?.locked ?? false
        tampering = state?.tampering
        notes = []
        if !enforcing {
            notes.append("only \(kernel.programIDs.count) of \(Enforcer.programs.count) programs are attached")
        }
        let described = state.flatMap { $0.generation == kernel.generation ? $0 : nil }
        if let state, described == nil {
            notes.append(
                "the state file describes generation \(state.generation), the kernel holds "
                    + (kernel.generation.map { "generation \($0)" } ?? "none") + ": rules are shown by key only")
        } else if state == nil {
            notes.append("no state file: no daemon has run since boot with this runtime directory; rules are shown by key only")
        }
        appliedAt = described?.appliedAt
        policies = described?.policies ?? []
        let named = Dictionary(uniqueKeysWithValues: (described?.rules ?? []).map { ($0.key, $0) })
        rules = kernel.ruleKeys.enumerated().map { index, key in
            let rule = named[key.description]
            return Rule(
                index: index, key: key.description, hits: kernel.hits[key] ?? 0, policy: rule?.policy,
                action: rule?.action, operation: rule?.operation,
                source: rule.map { "\($0.file):\($0.line):\($0.column)" })
        }
    }

    /// Whether `pid` is a live portcullis process.
    public static func isRunning(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/\(pid)/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return false }
        let exe = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return exe.hasSuffix("/portcullis")
    }

    /// The report for a person.
    public var text: String {
        var lines: [String] = []
        lines.append(
            enforcing
                ? "enforcing: \(programs.count) programs attached, pinned in \(pins)"
                : "NOT fully enforcing: \(programs.count) of \(Enforcer.programs.count) programs attached (\(pins))")
        if let generation {
            var line = "generation \(generation): \(ruleCount) rule\(ruleCount == 1 ? "" : "s")"
            if !policies.isEmpty { line += " in \(policies.count) polic\(policies.count == 1 ? "y" : "ies")" }
            if let appliedAt { line += ", applied \(Self.utc(appliedAt))" }
            lines.append(line)
        } else {
            lines.append("no generation installed: nothing is denied")
        }
        if let daemonPID {
            lines.append(
                daemonRunning
                    ? "daemon: running (pid \(daemonPID)), following \(policyDirectory ?? "?")"
                    : "daemon: not running (pid \(daemonPID) is gone); the kernel keeps enforcing the generation above")
        }
        lines.append(
            locked
                ? "tamper protection: locked until reboot"
                : "tamper protection: on (the daemon alone changes enforcement), not locked")
        if let tampering, tampering.refused + tampering.repaired > 0 {
            var line = "TAMPERING since the daemon started: \(tampering.refused) attempt\(tampering.refused == 1 ? "" : "s") refused, "
                + "\(tampering.repaired) repair\(tampering.repaired == 1 ? "" : "s")"
            if let last = tampering.last { line += "; last\(tampering.lastAt.map { " (\(Self.utc($0)))" } ?? ""): \(last)" }
            lines.append(line)
        }
        for note in notes { lines.append("note: \(note)") }
        if !policies.isEmpty {
            lines.append("policies:")
            for p in policies { lines.append("  \(p.name) (\(p.mode), \(p.rules) rule\(p.rules == 1 ? "" : "s")) \(p.file)") }
        }
        if !rules.isEmpty {
            lines.append("rules (hits: decisions made):")
            for r in rules {
                let what = [r.action, r.operation].compactMap { $0 }.joined(separator: " ")
                let origin = [r.policy, r.source].compactMap { $0 }.joined(separator: " at ")
                lines.append(
                    "  #\(r.index) hits \(r.hits) \(what.isEmpty ? "key \(r.key)" : what)"
                        + (origin.isEmpty ? "" : " (\(origin))"))
            }
        }
        let notCurrent = files.filter { $0.use != .current }
        if !notCurrent.isEmpty {
            lines.append("files not enforced as they are:")
            for f in notCurrent { lines.append("  \(f.path): \(f.use == .lastGood ? "last good version in force" : "refused")") }
        }
        if !problems.isEmpty {
            lines.append("last errors and warnings:")
            for p in problems { lines.append("  \(p.message)") }
        }
        lines.append(
            "events: \(eventsSent) sent, \(eventsDroppedByRateLimit) dropped by rate limits, "
                + "\(eventsDroppedRingFull) dropped with the ring buffer full")
        return lines.joined(separator: "\n")
    }

    static func utc(_ seconds: Double) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S UTC", &parts)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
