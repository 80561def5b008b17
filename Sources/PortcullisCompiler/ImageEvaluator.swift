import PortcullisPolicy

/// The userspace reference for the BPF programs: decides an event from a
/// PolicyImage exactly as bpf/*.bpf.c do, word for word.
public struct ImageEvaluator: Sendable {
    public let image: PolicyImage

    public init(_ image: PolicyImage) { self.image = image }

    public enum Decision: Sendable, Equatable {
        case allow
        case audit(rules: [Int])
        case deny(rules: [Int])
        /// The path could not be read whole and exec rules exist: denied, fail closed.
        case denyUnreadable

        var strength: Int {
            switch self {
            case .allow: return 0
            case .audit: return 1
            case .deny, .denyUnreadable: return 2
            }
        }
    }

    /// The exec hook: `path` is the canonical path of the program being executed,
    /// `identity` the file's identity.
    public func exec(path: [UInt8], identity: FileIdentity? = nil) -> Decision {
        let dfa = Int(image[ABI.Header.execDFA])
        guard dfa != 0 else { return .allow }
        guard path.count < ABI.pathMax else { return .denyUnreadable }
        let byPath = decide(acceptList: walk(dfa: dfa, over: path))
        let byIdentity = decide(acceptList: identity.map(inodeAccepts) ?? 0)
        return byIdentity.strength > byPath.strength ? byIdentity : byPath
    }

    /// The accept list of the exec rules naming the file `identity`, or 0.
    func inodeAccepts(_ identity: FileIdentity) -> Int {
        let table = Int(image[ABI.Header.execInodes])
        guard table != 0 else { return 0 }
        let mask = Int(image[ABI.Header.execInodeMask])
        let home = Int(ABI.Inode.hash(dev: identity.device, ino: identity.inode))
        for probe in 0..<ABI.Inode.probes {
            let at = table + ((home + probe) & mask) * ABI.Inode.entryWords
            guard image[at + 3] != 0 else { return 0 }
            if image[at] == identity.device, image[at + 1] == UInt32(truncatingIfNeeded: identity.inode),
                image[at + 2] == UInt32(truncatingIfNeeded: identity.inode >> 32)
            {
                return Int(image[at + 3])
            }
        }
        return 0
    }

    /// What the kernel knows of the acting task: the path of its executable and its
    /// arguments (argv[1...]) as recorded at its exec, or nothing for a task it has no
    /// record of (started before the generation, or before portcullis).
    public struct Task: Sendable {
        public var executable: [UInt8]?
        public var arguments: [String]?
        /// Its real uid when it acts (not recorded at exec: read at each decision).
        public var uid: UInt32
        /// Its cgroup v2 path from the root of the hierarchy when it acts (`/` for the
        /// root), as the kernel reads it; nil when it cannot be read (unknown).
        public var cgroup: [UInt8]?

        public init(executable: String? = nil, arguments: [String]? = nil, uid: UInt32 = 0, cgroup: String? = "/") {
            self.executable = executable.map { Array($0.utf8) }
            self.arguments = arguments
            self.uid = uid
            self.cgroup = cgroup.map { Array($0.utf8) }
        }

        public static let unrecorded = Task()
    }

    /// The capable hook: may `task` use capability number `cap`?
    public func capable(_ cap: Int, by task: Task) -> Decision {
        let caps = Int(image[ABI.Header.caps])
        guard caps != 0, cap >= 0, cap < ABI.Cap.count else { return .allow }
        let subjects = self.subjects(of: task)
        let entry = caps + cap * ABI.lineWords
        let deny = SubjectSet(words: (0..<ABI.Subject.words).map { image[entry + ABI.Cap.deny + $0] })
        let audit = SubjectSet(words: (0..<ABI.Subject.words).map { image[entry + ABI.Cap.audit + $0] })
        let ruleTable = caps + ABI.Cap.count * ABI.lineWords + cap * ABI.Subject.max
        let rules = { (set: SubjectSet) in set.ids.map { Int(self.image[ruleTable + $0]) - 1 } }
        let denied = deny.intersection(subjects)
        if !denied.isEmpty { return .deny(rules: rules(denied)) }
        let audited = audit.intersection(subjects)
        if !audited.isEmpty { return .audit(rules: rules(audited)) }
        return .allow
    }

    /// The subjects a task is, as exec.bpf.c and task.bpf.c compute them.
    /// The subjects `task` is: what its exec recorded, less those whose uid condition
    /// its uid does not meet, less those it is an exception of (pc_subjects_except).
    func subjects(of task: Task) -> SubjectSet {
        let set = forUID(recordedSubjects(of: task), task.uid)
        let section = Int(image[ABI.Header.subjectExcepts])
        guard section != 0 else { return set }
        var removed = SubjectSet()
        for entry in 0..<Int(image[ABI.Header.subjectExceptCount]) {
            let line = section + entry * ABI.lineWords
            let id = Int(image[line]) & (ABI.Subject.max - 1)
            guard set.contains(id) else { continue }
            if !set.intersection(self.set(at: line + ABI.Subject.words)).isEmpty { removed.insert(id) }
        }
        return set.subtracting(removed)
    }

    func forUID(_ recorded: SubjectSet, _ uid: UInt32) -> SubjectSet {
        let section = Int(image[ABI.Header.subjectUIDs])
        guard section != 0 else { return recorded }
        var allowed = set(at: section)
        let bucket = Int(ABI.UID.hash(uid)) & Int(image[ABI.Header.subjectUIDMask])
        let line = section + ABI.lineWords * (1 + bucket)
        for slot in 0..<ABI.UID.bucketSlots where image[line + 2 * slot] == uid &+ 1 {
            allowed = allowed.union(set(at: Int(image[line + 2 * slot + 1])))
        }
        return recorded.intersection(allowed)
    }

    func recordedSubjects(of task: Task) -> SubjectSet {
        let any = Int(image[ABI.Header.subjectAny])
        let half = { (h: Int) in SubjectSet(words: (0..<ABI.Subject.words).map { self.image[any + h * ABI.Subject.words + $0] }) }
        let (noPath, noArgs) = any == 0 ? (SubjectSet(), SubjectSet()) : (half(0), half(1))
        let noCgroup = set(at: Int(image[ABI.Header.subjectNoCgroup]))
        let exeDFA = Int(image[ABI.Header.subjectExeDFA])
        let argsDFA = Int(image[ABI.Header.subjectArgsDFA])
        let cgroupDFA = Int(image[ABI.Header.subjectCgroupDFA])
        guard exeDFA != 0 || argsDFA != 0 || cgroupDFA != 0, let executable = task.executable,
            let arguments = task.arguments
        else { return noPath.intersection(noArgs).intersection(noCgroup) }
        var exe = noPath
        if exeDFA != 0, executable.count < ABI.pathMax {
            exe = exe.union(set(at: walk(dfa: exeDFA, over: executable)))
        }
        var args = noArgs
        if argsDFA != 0 {
            let text = Array(arguments.joined(separator: " ").utf8)
            args = args.union(set(at: walk(dfa: argsDFA, over: text)))
        }
        var cgroup = noCgroup
        if cgroupDFA != 0 { cgroup = cgroup.union(cgroupSubjects(dfa: cgroupDFA, path: task.cgroup)) }
        return exe.intersection(args).intersection(cgroup)
    }

    /// The subjects a cgroup path makes a task, as pc_cgroup_read and pc_text_subjects
    /// do: a path deeper than PC_CGROUP_DEPTH levels is unknown, one longer than
    /// PC_TASK_TEXT_MAX bytes is cut; unknown, or cut and still alive in the DFA, is
    /// every subject (fail closed).
    func cgroupSubjects(dfa: Int, path: [UInt8]?) -> SubjectSet {
        let every = SubjectSet(words: [UInt32](repeating: ~0, count: ABI.Subject.words))
        guard let path, path.split(separator: UInt8(ascii: "/")).count <= ABI.Task.cgroupDepth else { return every }
        guard path.count > ABI.Task.textMax else { return set(at: walk(dfa: dfa, over: path)) }
        return walkAlive(dfa: dfa, over: Array(path.prefix(ABI.Task.textMax))) ? every : SubjectSet()
    }

    func set(at offset: Int) -> SubjectSet {
        offset == 0 ? SubjectSet() : SubjectSet(words: (0..<ABI.Subject.words).map { image[offset + $0] })
    }

    /// Whether the DFA is still alive (not in its dead state) at the end of `text`.
    func walkAlive(dfa at: Int, over text: [UInt8]) -> Bool {
        finalState(dfa: at, over: text) != nil
    }

    /// The offset of the final state's accept list, or 0.
    func walk(dfa at: Int, over text: [UInt8]) -> Int {
        guard let state = finalState(dfa: at, over: text) else { return 0 }
        return Int(image[Int(image[at + ABI.DFA.accepts]) + state])
    }

    /// The state the DFA ends in over `text`, nil once dead.
    func finalState(dfa at: Int, over text: [UInt8]) -> Int? {
        let classCount = Int(image[at + ABI.DFA.classCount])
        let stateCount = Int(image[at + ABI.DFA.stateCount])
        let classes = Int(image[at + ABI.DFA.classes])
        let transitions = Int(image[at + ABI.DFA.transitions])
        guard classCount > 0, stateCount > 0 else { return nil }
        var state = Int(image[at + ABI.DFA.start])
        for byte in text {
            let word = image[classes + Int(byte) / 4]
            var cls = Int((word >> (UInt32(byte & 3) * 8)) & 0xff)
            if cls >= classCount { cls = 0 }
            state = Int(image[transitions + state * classCount + cls])
            if state == Int(ABI.DFA.dead) || state >= stateCount { return nil }
        }
        return state
    }

    func decide(acceptList list: Int) -> Decision {
        guard list != 0 else { return .allow }
        let ruleCount = Int(image[ABI.Header.ruleCount])
        let count = min(Int(image[list]), ABI.acceptMax)
        return strongest((0..<count).map { Int(image[list + 1 + $0]) }.filter { $0 < ruleCount })
    }

    /// The strongest action among `rules` (rule-table indexes), and the rules that have it.
    func strongest(_ rules: [Int]) -> Decision {
        let table = Int(image[ABI.Header.rules])
        var strongest = ABI.Action.none
        var deciding: [Int] = []
        for rule in rules {
            let action = image[table + rule * ABI.Rule.words + ABI.Rule.action]
            if action > strongest { (strongest, deciding) = (action, []) }
            if action == strongest { deciding.append(rule) }
        }
        switch strongest {
        case ABI.Action.deny: return .deny(rules: deciding)
        case ABI.Action.audit: return .audit(rules: deciding)
        default: return .allow
        }
    }
}
