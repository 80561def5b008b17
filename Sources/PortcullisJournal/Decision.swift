/// What a decision event from the kernel says, as plain values: the input of
/// `JournalEntry.decision(_:)`.
public struct Decision: Sendable {
    public enum Verdict: String, Sendable { case deny, audit }

    /// The rule that decided, and where it was written.
    public struct Rule: Sendable {
        /// The rule's index in the generation's rule table.
        public var id: UInt32
        public var policy: String
        public var file: String
        public var line: Int

        public init(id: UInt32, policy: String, file: String, line: Int) {
            self.id = id
            self.policy = policy
            self.file = file
            self.line = line
        }
    }

    /// The process that attempted the operation.
    public struct Process: Sendable {
        public var pid: Int32
        public var tgid: Int32
        public var uid: UInt32
        public var comm: String
        public var exe: String
        /// The kernel's id of its cgroup (v2) at the decision; 0: the kernel had none.
        public var cgroupID: UInt64
        /// The path of its cgroup from the root of the hierarchy, when known.
        public var cgroup: String?
        /// Where `cgroup` (and `unit`) came from.
        public var cgroupSource: CgroupSource
        /// The systemd unit of its cgroup, when it is in one.
        public var unit: String?

        public init(
            pid: Int32, tgid: Int32, uid: UInt32, comm: String, exe: String, cgroupID: UInt64,
            cgroup: String?, cgroupSource: CgroupSource, unit: String?
        ) {
            self.pid = pid
            self.tgid = tgid
            self.uid = uid
            self.comm = comm
            self.exe = exe
            self.cgroupID = cgroupID
            self.cgroup = cgroup
            self.cgroupSource = cgroupSource
            self.unit = unit
        }
    }

    /// Where the cgroup path of a decision came from.
    public enum CgroupSource: String, Sendable {
        /// It is the path of the cgroup whose id the kernel recorded at the decision.
        case kernel
        /// That cgroup was gone when the daemon asked (its id named nothing), so
        /// the path is the process's cgroup as /proc/PID/cgroup said afterwards,
        /// unconfirmed by the id.
        case proc
        /// Neither could be had (or the kernel recorded no cgroup, id 0): the
        /// decision carries the id only.
        case unknown
    }

    /// What the operation was about.
    public enum Target: Sendable {
        /// An exec (or another path operation): the canonical path.
        case path(String)
        /// A capability, by name: `CAP_NET_ADMIN`.
        case capability(String)
        case mount(source: String, target: String, fsType: String, flags: UInt64)
        /// An attempt on portcullis itself (tamper protection): its kind (`map`,
        /// `ptrace`, `signal`, `pin`, `umount`, `claim`) and what it was after.
        case tamper(kind: String, object: String)
    }

    public var verdict: Verdict
    /// The LSM hook: `bprm_check_security`, `capable`, `sb_mount`.
    public var hook: String
    public var generation: UInt64
    /// The rule that decided; nil when none did (a path that could not be read
    /// whole, denied fail-closed).
    public var rule: Rule?
    public var process: Process
    public var target: Target
    /// What the kernel could not know when it decided (the decision took the deny
    /// side: fail closed): `path`, the path of the file or mount point could not be
    /// read whole; `condition`, a condition on the process (its executable, its
    /// arguments, its cgroup, or no record of it) was unknown.
    public var unknown: [String]
    /// exec hooks: the SHA-256 of the file decided on (lower-case hex), when the kernel had it.
    public var sha256: String?

    public init(
        verdict: Verdict, hook: String, generation: UInt64, rule: Rule?, process: Process,
        target: Target, unknown: [String] = [], sha256: String? = nil
    ) {
        self.unknown = unknown
        self.sha256 = sha256
        self.verdict = verdict
        self.hook = hook
        self.generation = generation
        self.rule = rule
        self.process = process
        self.target = target
    }
}

extension Decision {
    /// Whether this is an attempt on portcullis itself rather than a rule's decision.
    public var isTamper: Bool {
        if case .tamper = target { return true }
        return false
    }
}

extension JournalEntry {
    /// A deny (priority warning) or audit (notice) decision, with every value
    /// of `decision` in a field of its own.
    public static func decision(_ decision: Decision) -> JournalEntry {
        let process = decision.process
        let rule = decision.rule
        let object: String
        var fields: [(FieldName, String)] = [
            (.decision, decision.verdict.rawValue), (.hook, decision.hook),
        ]
        switch decision.target {
        case .path(let path):
            object = path
            fields.append((.path, path))
            if let sha256 = decision.sha256 { fields.append((.sha256, sha256)) }
        case .capability(let name):
            object = name
            fields.append((.capability, name))
        case .mount(let source, let target, let fsType, let flags):
            let hexFlags = "0x" + String(flags, radix: 16)
            object = "\(source) on \(target) (\(fsType), flags \(hexFlags))"
            fields += [
                (.mountSource, source), (.mountTarget, target), (.mountFSType, fsType),
                (.mountFlags, hexFlags),
            ]
        case .tamper(let kind, let what):
            object = what
            fields += [(.tamper, kind), (.tamperObject, what)]
        }
        if let rule {
            fields += [
                (.ruleID, String(rule.id)), (.policy, rule.policy), (.policyFile, rule.file),
                (.file, rule.file), (.line, String(rule.line)),
            ]
        }
        fields += [
            (.generation, String(decision.generation)),
            (.pid, String(process.pid)), (.tgid, String(process.tgid)), (.uid, String(process.uid)),
            (.comm, process.comm), (.exe, process.exe), (.cgroupID, String(process.cgroupID)),
        ]
        if let cgroup = process.cgroup { fields.append((.cgroup, cgroup)) }
        fields.append((.cgroupSource, process.cgroupSource.rawValue))
        if let unit = process.unit { fields.append((.unit, unit)) }
        if !decision.unknown.isEmpty { fields.append((.unknown, decision.unknown.joined(separator: ","))) }
        // Without a rule, the message already says the path could not be read.
        let unknownNote =
            decision.unknown.isEmpty || (rule == nil && decision.unknown == ["path"])
            ? "" : " [decided on unknown input: \(decision.unknown.joined(separator: ", ")); fail closed]"
        let message =
            "\(decision.verdict.rawValue) \(decision.hook) \(object) by pid \(process.pid) "
            + "(\(process.comm), uid \(process.uid)): "
            + (rule.map { "policy \($0.policy), rule \($0.id) at \($0.file):\($0.line)" }
                ?? (decision.isTamper ? "tamper protection" : "the path could not be read whole (fail closed)"))
            + unknownNote
        if decision.isTamper {
            // Refusals are alerts; a process taking the vacant guardian post (a daemon starting) is a notice.
            return decision.verdict == .deny
                ? JournalEntry(message, priority: .alert, messageID: .tamperRefused, fields: fields)
                : JournalEntry(message, priority: .notice, messageID: .guardianClaimed, fields: fields)
        }
        switch decision.verdict {
        case .deny: return JournalEntry(message, priority: .warning, messageID: .decisionDeny, fields: fields)
        case .audit: return JournalEntry(message, priority: .notice, messageID: .decisionAudit, fields: fields)
        }
    }

    /// Decision events the rate limit dropped since the last such entry.
    public static func eventsDropped(_ count: UInt64) -> JournalEntry {
        JournalEntry(
            "\(count) decision event(s) dropped by the rate limit", priority: .warning,
            messageID: .eventsDropped, fields: [(.droppedCount, String(count))])
    }
}
