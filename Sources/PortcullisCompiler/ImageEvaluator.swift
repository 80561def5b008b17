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

    /// An exec, as the kernel decides it in two steps.
    public struct ExecSteps: Sendable, Equatable {
        /// The exec hook (bprm_check_security): the rules without an argument condition.
        public var atHook: Decision
        /// Once the exec completed (sched_process_exec), when the hook allowed it and the
        /// generation has rules with argument conditions: those rules. A denial kills.
        public var afterExec: Decision?

        /// The outcome: the hook's denial, else the stronger of the two.
        public var decision: Decision {
            guard let afterExec, atHook.strength < 2 else { return atHook }
            return afterExec.strength > atHook.strength ? afterExec : atHook
        }
    }

    /// What a hook knows of the content of the file it decides on: its SHA-256, or
    /// nothing (IMA could not hash it, or the hook cannot hash).
    public enum Content: Sendable, Equatable {
        case unknown
        case known(ContentDigest)
    }

    /// The exec of the program at `path` (its canonical path; `identity` the file's;
    /// `content` its digest) by `caller`, with `arguments` (argv[1...]).
    public func exec(
        path: [UInt8], identity: FileIdentity? = nil, content: Content = .unknown, caller: Task = .unrecorded,
        arguments: [String]? = []
    ) -> Decision {
        execSteps(path: path, identity: identity, content: content, caller: caller, arguments: arguments).decision
    }

    /// `arguments` nil: the kernel cannot read them whole (see `Task.readableArguments`).
    public func execSteps(
        path: [UInt8], identity: FileIdentity? = nil, content: Content = .unknown, caller: Task = .unrecorded,
        arguments: [String]? = []
    ) -> ExecSteps {
        guard image[ABI.Header.execDFA] != 0 || image[ABI.Header.execDigests] != 0 else {
            return ExecSteps(atHook: .allow)
        }
        guard path.count < ABI.pathMax else { return ExecSteps(atHook: .denyUnreadable) }
        let callerSubjects = callerSubjects(of: caller)
        var hook = Conditions(mode: .skip, caller: callerSubjects)
        let (contentRules, meets) = contentLookup(content)
        hook.content = meets
        let atHook = decide(lists: pathLists(path) + [identity.map(inodeAccepts) ?? 0, contentRules], hook)
        guard atHook.strength < 2, image[ABI.Header.execConditions] & ABI.ExecConditions.args != 0 else {
            return ExecSteps(atHook: atHook)
        }
        return ExecSteps(
            atHook: atHook,
            afterExec: afterExec(path: path, identity: identity, caller: callerSubjects, arguments: arguments))
    }

    /// task.bpf.c's pc_exec_args_decide: the rules with argument conditions in the
    /// accept lists the exec hook found (the whole path's, the identity's), with the
    /// new program's subjects. (During a generation swap the kernel falls back to the
    /// path its record keeps; that race is not modelled.)
    func afterExec(path: [UInt8], identity: FileIdentity?, caller: Subjects, arguments: [String]?) -> Decision {
        var program = Task(arguments: arguments)
        program.executable = path
        let check = Conditions(mode: .check, caller: caller, args: recordedSubjects(of: program))
        return decide(lists: pathLists(path) + [identity.map(inodeAccepts) ?? 0], check)
    }

    /// The offsets of the exec path DFAs (PC_HDR_EXEC_DFA, then PC_HDR_EXEC_DFA_MORE up to the first 0).
    public var execDFAs: [Int] {
        let first = Int(image[ABI.Header.execDFA])
        guard first != 0 else { return [] }
        let more = (0..<ABI.execDFAMax - 1).map { Int(image[ABI.Header.execDFAMore + $0]) }
        return [first] + more.prefix { $0 != 0 }
    }

    /// pc_exec_paths.h: each exec path DFA's accept list for `path` (0: none), in order.
    func pathLists(_ path: [UInt8]) -> [Int] { execDFAs.map { walk(dfa: $0, over: path) } }

    /// pc_exec_when_init: the caller's subjects, read only when some exec rule has a caller condition.
    func callerSubjects(of task: Task) -> Subjects {
        image[ABI.Header.execConditions] & ABI.ExecConditions.caller != 0 ? subjects(of: task) : Subjects()
    }

    /// pc_rules.h's struct pc_exec_when: what a rule's conditions are checked against.
    struct Conditions {
        enum Mode { case skip, met, check }
        var mode: Mode
        var caller: Subjects
        var args = Subjects()
        /// The content conditions the file's digest meets; unknown unless the hook had it.
        var content = Subjects.unknown

        func has(_ set: SubjectSet, _ idPlusOne: Int) -> Bool { set.contains((idPlusOne - 1) & (ABI.Subject.max - 1)) }
    }

    /// A task's subjects, three-valued (struct pc_subjects): `possible`, those whose
    /// conditions hold or are unknown (a deny or an audit applies to them); `certain`,
    /// those whose conditions are known to hold (an allow or an except needs that).
    public struct Subjects: Sendable, Equatable {
        var possible = SubjectSet()
        var certain = SubjectSet()

        /// Both sets equal: every condition known.
        init(known: SubjectSet) { (possible, certain) = (known, known) }
        init(possible: SubjectSet = SubjectSet(), certain: SubjectSet = SubjectSet()) {
            (self.possible, self.certain) = (possible, certain)
        }

        func intersection(_ other: Subjects) -> Subjects {
            Subjects(possible: possible.intersection(other.possible), certain: certain.intersection(other.certain))
        }

        func union(_ other: Subjects) -> Subjects {
            Subjects(possible: possible.union(other.possible), certain: certain.union(other.certain))
        }

        /// Every subject possible, none certain: nothing about this part is known.
        static let unknown = Subjects(possible: SubjectSet.every)
    }

    /// The mmap_file hook on an executable mapping outside an exec (the loader trick:
    /// `ld.so /usr/bin/kubectl`): only denials act, argument conditions count as met.
    public func executableMapping(
        path: [UInt8], identity: FileIdentity? = nil, content: Content = .unknown, by task: Task = .unrecorded
    ) -> Decision {
        guard image[ABI.Header.execDFA] != 0 || image[ABI.Header.execDigests] != 0 else { return .allow }
        guard path.count < ABI.pathMax else { return .denyUnreadable }
        let callerSubjects = callerSubjects(of: task)
        var met = Conditions(mode: .met, caller: callerSubjects)
        let (contentRules, meets) = contentLookup(content)
        met.content = meets
        let decision = decide(lists: pathLists(path) + [identity.map(inodeAccepts) ?? 0, contentRules], met)
        return decision.strength == 2 ? decision : .allow
    }

    /// pc_content.h's pc_content_lookup: the accept list the content table gives
    /// `content` and the content conditions it meets. An unknown digest meets every
    /// one possibly, none certainly, and brings the rules with a content condition.
    func contentLookup(_ content: Content) -> (rules: Int, meets: Subjects) {
        let table = Int(image[ABI.Header.execDigests])
        guard table != 0 else { return (0, Subjects()) }
        guard case .known(let digest) = content else {
            return (Int(image[ABI.Header.execContentUnknown]), .unknown)
        }
        let mask = Int(image[ABI.Header.execDigestMask])
        let words = ContentTable.words(of: digest)
        let home = Int(ABI.Digest.hash(firstWord: words[0]))
        for probe in 0..<ABI.Digest.probes {
            let at = table + ((home + probe) & mask) * ABI.lineWords
            guard image[at + ABI.Digest.used] != 0 else { break }
            guard (0..<words.count).allSatisfy({ image[at + $0] == words[$0] }) else { continue }
            let set = Int(image[at + ABI.Digest.content])
            var meets = SubjectSet()
            if set != 0 {
                for id in 0..<ABI.Digest.contentMax where image[set + id / 32] >> UInt32(id % 32) & 1 != 0 {
                    meets.insert(id)
                }
            }
            return (Int(image[at + ABI.Digest.rules]), Subjects(known: meets))
        }
        return (0, Subjects())
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
        /// Whether the kernel has a record of it: a task started before portcullis and
        /// never seeded has none, and is unknown.
        public var recorded = true
        /// A kernel thread: no record, and known to run no program.
        public var kernelThread = false

        public init(executable: String? = nil, arguments: [String]? = nil, uid: UInt32 = 0, cgroup: String? = "/") {
            self.executable = executable.map { Array($0.utf8) }
            self.arguments = arguments
            self.uid = uid
            self.cgroup = cgroup.map { Array($0.utf8) }
        }

        /// A task the kernel has no record of (not a kernel thread): every condition on it is unknown.
        public static let unrecorded: Task = {
            var task = Task()
            task.recorded = false
            return task
        }()

        /// A kernel thread (no record): the subjects with no conditions, known.
        public static let kernelThread: Task = {
            var task = Task()
            (task.recorded, task.kernelThread) = (false, true)
            return task
        }()

        /// argv[1...] as the kernel reads them at exec (task.bpf.c, pc_keep_args): nil
        /// when they cannot be read whole, that is when argv (argv[0] included, each
        /// with its NUL) is longer than PC_PATH_MAX bytes, or argv[0] is longer than
        /// PC_ARGV0_MAX - 1 bytes.
        public static func readableArguments(argv0: String, _ arguments: [String]) -> [String]? {
            let total = ([argv0] + arguments).reduce(0) { $0 + $1.utf8.count + 1 }
            guard total <= ABI.pathMax, argv0.utf8.count < ABI.Task.argv0Max else { return nil }
            return arguments
        }
    }

    /// The capable hook: may `task` use capability number `cap`, checked against the
    /// host's initial user namespace (`initialUserNamespace`) or one of its own?
    public func capable(_ cap: Int, by task: Task, initialUserNamespace: Bool = true) -> Decision {
        let caps = Int(image[ABI.Header.caps])
        guard caps != 0, cap >= 0, cap < ABI.Cap.count else { return .allow }
        let subjects = self.subjects(of: task, initialUserNamespace: initialUserNamespace)
        let entry = caps + cap * ABI.lineWords
        let deny = SubjectSet(words: (0..<ABI.Subject.words).map { image[entry + ABI.Cap.deny + $0] })
        let audit = SubjectSet(words: (0..<ABI.Subject.words).map { image[entry + ABI.Cap.audit + $0] })
        let ruleTable = caps + ABI.Cap.count * ABI.lineWords + cap * ABI.Subject.max
        // The rules of the subjects the task certainly is, when there are some (the decision
        // did not rest on an unknown); else those it possibly is (pc_capable_decide).
        let rules = { (set: SubjectSet) in
            let certain = set.intersection(subjects.certain)
            return (certain.isEmpty ? set : certain).ids.map { Int(self.image[ruleTable + $0]) - 1 }
        }
        let denied = deny.intersection(subjects.possible)
        if !denied.isEmpty { return .deny(rules: rules(denied)) }
        let audited = audit.intersection(subjects.possible)
        if !audited.isEmpty { return .audit(rules: rules(audited)) }
        return .allow
    }

    /// The subjects `task` is: what its record makes it, less those whose uid condition
    /// its uid does not meet (the uid is always known), less, outside the initial user
    /// namespace, those limited to it, less those it is an exception of
    /// (pc_subjects_except): a subject stops being possible when an exception is certain,
    /// and stops being certain when an exception is possible.
    func subjects(of task: Task, initialUserNamespace: Bool = true) -> Subjects {
        var set = forUID(recordedSubjects(of: task), task.uid)
        if !initialUserNamespace {
            let limited = self.set(at: Int(image[ABI.Header.subjectInitialUserNamespace]))
            set = Subjects(possible: set.possible.subtracting(limited), certain: set.certain.subtracting(limited))
        }
        let section = Int(image[ABI.Header.subjectExcepts])
        guard section != 0 else { return set }
        var lifted = Subjects()
        for entry in 0..<Int(image[ABI.Header.subjectExceptCount]) {
            let line = section + entry * ABI.lineWords
            let id = Int(image[line]) & (ABI.Subject.max - 1)
            guard set.possible.contains(id) else { continue }
            let exceptions = self.set(at: line + ABI.Subject.words)
            if !set.certain.intersection(exceptions).isEmpty { lifted.possible.insert(id) }
            if !set.possible.intersection(exceptions).isEmpty { lifted.certain.insert(id) }
        }
        return Subjects(
            possible: set.possible.subtracting(lifted.possible), certain: set.certain.subtracting(lifted.certain))
    }

    func forUID(_ recorded: Subjects, _ uid: UInt32) -> Subjects {
        let section = Int(image[ABI.Header.subjectUIDs])
        guard section != 0 else { return recorded }
        var allowed = set(at: section)
        let bucket = Int(ABI.UID.hash(uid)) & Int(image[ABI.Header.subjectUIDMask])
        let line = section + ABI.lineWords * (1 + bucket)
        for slot in 0..<ABI.UID.bucketSlots where image[line + 2 * slot] == uid &+ 1 {
            allowed = allowed.union(set(at: Int(image[line + 2 * slot + 1])))
        }
        return recorded.intersection(Subjects(known: allowed))
    }

    /// pc_task_compute and pc_subjects_current: the subjects the texts of a task's
    /// record make it, part by part (executable, arguments, cgroup), ANDed. A task with
    /// no record is unknown (possibly every subject, certainly those with no
    /// conditions), unless it is a kernel thread; a text that is nil is unknown.
    func recordedSubjects(of task: Task) -> Subjects {
        let any = Int(image[ABI.Header.subjectAny])
        let half = { (h: Int) in SubjectSet(words: (0..<ABI.Subject.words).map { self.image[any + h * ABI.Subject.words + $0] }) }
        let (noPath, noArgs) = any == 0 ? (SubjectSet(), SubjectSet()) : (half(0), half(1))
        let noCgroup = set(at: Int(image[ABI.Header.subjectNoCgroup]))
        let exeDFA = Int(image[ABI.Header.subjectExeDFA])
        let argsDFA = Int(image[ABI.Header.subjectArgsDFA])
        let cgroupDFA = Int(image[ABI.Header.subjectCgroupDFA])
        let unconditional = noPath.intersection(noArgs).intersection(noCgroup)
        guard exeDFA != 0 || argsDFA != 0 || cgroupDFA != 0 else { return Subjects(known: unconditional) }
        guard task.recorded else {
            return task.kernelThread
                ? Subjects(known: unconditional) : Subjects(possible: SubjectSet.every, certain: unconditional)
        }
        let exe = Subjects(known: noPath).union(textSubjects(dfa: exeDFA, over: task.executable))
        let args = Subjects(known: noArgs).union(
            textSubjects(dfa: argsDFA, over: task.arguments.map { Array($0.joined(separator: " ").utf8) }))
        var cgroup = Subjects(known: noCgroup)
        if cgroupDFA != 0 { cgroup = cgroup.union(cgroupSubjects(dfa: cgroupDFA, path: task.cgroup)) }
        return exe.intersection(args).intersection(cgroup)
    }

    /// The subjects a cgroup path makes a task, as pc_cgroup_read and pc_text_subjects
    /// do: a path deeper than PC_CGROUP_DEPTH levels is unknown, one longer than
    /// PC_TASK_TEXT_MAX bytes is cut.
    func cgroupSubjects(dfa: Int, path: [UInt8]?) -> Subjects {
        guard let path, path.split(separator: UInt8(ascii: "/")).count <= ABI.Task.cgroupDepth else { return .unknown }
        return textSubjects(dfa: dfa, over: path)
    }

    /// pc_text_subjects: the subjects `text` makes a task by the DFA at `dfa`, as the
    /// record keeps it (PC_TASK_TEXT_MAX bytes). An unknown text (nil), or a longer
    /// one still alive in the DFA at its cut, leaves every condition on it unknown.
    func textSubjects(dfa: Int, over text: [UInt8]?) -> Subjects {
        guard dfa != 0 else { return Subjects() }
        guard let text else { return .unknown }
        let (state, accepts) = walkState(dfa: dfa, over: Array(text.prefix(ABI.Task.textMax)))
        if text.count > ABI.Task.textMax {
            return state == Int(ABI.DFA.dead) ? Subjects() : .unknown
        }
        return Subjects(known: set(at: accepts))
    }

    func set(at offset: Int) -> SubjectSet {
        offset == 0 ? SubjectSet() : SubjectSet(words: (0..<ABI.Subject.words).map { image[offset + $0] })
    }

    /// The offset of the final state's accept list, or 0.
    func walk(dfa at: Int, over text: [UInt8]) -> Int { walkState(dfa: at, over: text).accepts }

    /// The final state (ABI.DFA.dead once nothing can match) and its accept word (0: none).
    func walkState(dfa at: Int, over text: [UInt8]) -> (state: Int, accepts: Int) {
        let classCount = Int(image[at + ABI.DFA.classCount])
        let stateCount = Int(image[at + ABI.DFA.stateCount])
        let classes = Int(image[at + ABI.DFA.classes])
        let transitions = Int(image[at + ABI.DFA.transitions])
        let accepts = Int(image[at + ABI.DFA.accepts])
        guard classCount > 0, stateCount > 0 else { return (Int(ABI.DFA.dead), 0) }
        var state = Int(image[at + ABI.DFA.start])
        for byte in text {
            let word = image[classes + Int(byte) / 4]
            var cls = Int((word >> (UInt32(byte & 3) * 8)) & 0xff)
            if cls >= classCount { cls = 0 }
            state = Int(image[transitions + state * classCount + cls])
            if state == Int(ABI.DFA.dead) || state >= stateCount { return (Int(ABI.DFA.dead), 0) }
        }
        return (state, Int(image[accepts + state]))
    }

    /// pc_exec_rules (bpf/include/pc_rules.h), step for step: the rules of the accept
    /// lists whose conditions hold, less the policies their `allow` rules silence.
    func decide(lists: [Int], _ c: Conditions) -> Decision {
        let ruleCount = Int(image[ABI.Header.ruleCount])
        let table = Int(image[ABI.Header.rules])
        let entries: [Int] = lists.filter { $0 != 0 }.flatMap { list in
            (0..<min(Int(image[list]), ABI.acceptMax)).map { Int(image[list + 1 + $0]) }.filter { $0 < ruleCount }
        }
        let word = { (rule: Int, w: Int) in Int(self.image[table + rule * ABI.Rule.words + w]) }
        var quiet: [Int] = []
        var later: [Int] = []
        var laterFull = false
        func add(_ policy: Int, to set: inout [Int]) -> Bool {
            if set.contains(policy) { return true }
            guard set.count < Self.quietMax else { return false }
            set.append(policy)
            return true
        }
        // An allow needs its conditions known to hold (certain); a deny or an audit applies
        // when they hold or are unknown (possible). The caller's and the content's alike.
        let holds = { (rule: Int, certain: Bool) in
            let caller = word(rule, ABI.Rule.caller)
            let content = word(rule, ABI.Rule.content)
            return (caller == 0 || c.has(certain ? c.caller.certain : c.caller.possible, caller))
                && (content == 0 || c.has(certain ? c.content.certain : c.content.possible, content))
        }
        if image[ABI.Header.execConditions] & ABI.ExecConditions.allow != 0 {
            for rule in entries
            where UInt32(word(rule, ABI.Rule.action)) == ABI.Action.none && holds(rule, true) {
                let policy = word(rule, ABI.Rule.policy)
                let args = word(rule, ABI.Rule.args)
                if args == 0 {
                    _ = add(policy, to: &quiet)
                } else if c.mode != .met {
                    if !add(policy, to: &later) { laterFull = true }
                    if c.mode == .check && c.has(c.args.certain, args) { _ = add(policy, to: &quiet) }
                }
            }
        }
        var deciding: [Int] = []
        var strongest = ABI.Action.none
        for rule in entries {
            let action = UInt32(word(rule, ABI.Rule.action))
            guard action != ABI.Action.none, action >= strongest, holds(rule, false) else { continue }
            let policy = word(rule, ABI.Rule.policy)
            if quiet.contains(policy) { continue }
            let args = word(rule, ABI.Rule.args)
            if args != 0 {
                if c.mode == .skip || (c.mode == .check && !c.has(c.args.possible, args)) { continue }
            } else if c.mode == .skip {
                if later.contains(policy) { continue }
            } else if c.mode == .check {
                if !laterFull && !later.contains(policy) { continue }
            }
            if action > strongest { (strongest, deciding) = (action, []) }
            if !deciding.contains(rule) { deciding.append(rule) }
        }
        switch strongest {
        case ABI.Action.deny: return .deny(rules: deciding)
        case ABI.Action.audit: return .audit(rules: deciding)
        default: return .allow
        }
    }

    /// PC_QUIET_MAX: the policies one walk keeps track of.
    static let quietMax = ABI.quietMax

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
