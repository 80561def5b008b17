import PortcullisPolicy
import PortcullisRegex

/// Policy model → compiled image.
public enum PolicyCompiler {
    public static let defaultStateLimit = 65_536

    /// `identify` gives the identity of the file at a literal path named by an exec
    /// rule (nil when there is none): those rules then also match it by identity.
    /// `digest` gives the SHA-256 of the file there: a deny or audit rule then also
    /// matches that content anywhere (ExecContent.matchCopies).
    /// `patterns` keeps what was built of each exec pattern for the next compile
    /// (the daemon's, one file changed): the image is the same, byte for byte.
    public static func compile(
        _ policies: [Policy], generation: UInt64, stateLimit: Int = defaultStateLimit,
        identify: (String) -> FileIdentity? = { _ in nil }, digest: (String) -> ContentDigest? = { _ in nil },
        patterns: PatternCache? = nil
    ) throws(CompileError) -> CompiledPolicy {
        var plan = ImagePlan()
        // One record at most per rule, kept with the generation in force (and
        // the one before): exactly that room, not an array grown by doubling.
        plan.rules.reserveCapacity(policies.reduce(0) { $0 + $1.rules.count })
        for policy in policies {
            plan.carveOuts = plan.capabilityAllows(of: policy)
            for rule in policy.rules {
                try plan.add(rule, of: policy)
            }
        }
        var writer = ImageWriter(generation: generation)
        var execStates = 0
        var execAutomata: [DFA] = []
        if !plan.execPatterns.isEmpty {
            execAutomata = try plan.execAutomata(stateLimit: stateLimit, cache: patterns)
            execStates = execAutomata.reduce(0) { $0 + $1.stateCount }
            writer.setHeader(ABI.Header.execDFA, writer.appendDFA(plan.ordered(execAutomata[0])))
            for (k, dfa) in execAutomata.dropFirst().enumerated() {
                writer.setHeader(ABI.Header.execDFAMore + k, writer.appendDFA(plan.ordered(dfa)))
            }
            if let names = DFA.lastComponentFilter(of: execAutomata) {
                writer.setHeader(ABI.Header.execNameDFA, writer.appendDFA(names))
            }
            plan.writeInodes(into: &writer, identify: identify)
        }
        plan.writeContent(into: &writer, digest: digest)
        writer.setHeader(ABI.Header.rules, writer.append(plan.ruleTable))
        writer.setHeader(ABI.Header.ruleCount, UInt32(plan.rules.count))
        writer.setHeader(ABI.Header.execConditions, plan.execConditionBits)
        let views = plan.subjects.isEmpty ? SubjectViews.none : SubjectViews(plan.subjects)
        if !plan.subjects.isEmpty {
            try plan.writeSubjects(views, into: &writer, stateLimit: stateLimit)
        }
        if !plan.capabilities.isEmpty {
            writer.setHeader(ABI.Header.caps, writer.appendAligned(plan.capabilityTable))
            _ = writer.append(plan.capabilityRuleTable)
        }
        if !plan.mountRules.isEmpty {
            try plan.writeMount(into: &writer, stateLimit: stateLimit)
        }
        return CompiledPolicy(
            image: writer.image, rules: plan.rules, diagnostics: plan.diagnostics,
            execStates: execStates, execAutomata: execAutomata.count, subjects: plan.subjects.count,
            subjectViews: views)
    }

    static func kernelAction(_ action: Action) -> UInt32 {
        switch action {
        case .deny: return ABI.Action.deny
        case .audit: return ABI.Action.audit
        case .allow: return ABI.Action.none
        }
    }
}

/// The rules of a generation sorted into the image's sections.
struct ImagePlan {
    var rules: [CompiledRule] = []
    var diagnostics: [Diagnostic] = []
    /// Exec path patterns; ids are rule indexes.
    var execPatterns: [(id: Int, pattern: String)] = []
    /// Distinct subjects; ids are positions. The first rule naming each, for errors.
    var subjects: [Subject] = []
    var subjectRules: [Rule] = []
    /// The subjects with exceptions, and the ids of those exceptions.
    var excepts: [(subject: Int, exceptions: SubjectSet)] = []
    /// Per capability: the subjects denied and audited, and the rule deciding each.
    var capabilities: [Int: (deny: SubjectSet, audit: SubjectSet, rules: [Int: Int])] = [:]
    /// Mount rules, numbered by position: the rule's index, its subject and what it matches.
    var mountRules: [(rule: Int, subject: Int, match: MountMatch)] = []
    /// Exec rules with conditions, by rule index: the subject the caller must be, the
    /// argument-only subject the new program must be, and the content condition its
    /// file must meet (ABI: PC_RULE_CALLER/ARGS/CONTENT).
    var execConditions: [Int: (caller: Int?, args: Int?, content: Int?)] = [:]
    /// The content conditions (`sha256:` lists); ids are positions.
    var contentConditions: [[ContentDigest]] = []

    /// The current policy's capability `allow` rules: per capability, the subjects
    /// carved out of that policy's deny and audit rules for it.
    var carveOuts: [Int: [Subject]] = [:]

    mutating func add(_ rule: Rule, of policy: Policy) throws(CompileError) {
        if rule.action == .allow { return try addAllow(rule, of: policy) }
        let action = policy.mode == .audit && rule.action == .deny ? Action.audit : rule.action
        switch rule.operation {
        case .exec(let paths, let args, let content):
            try addExec(rule, of: policy, action: action, paths: paths, args: args, content: content)
        case .capability(let caps):
            let index = append(rule, of: policy, action: action)
            for cap in caps where cap.number < ABI.Cap.count {
                // The policy's allow rules for this capability are exceptions of this rule's subject.
                let carved = carveOuts[cap.number] ?? []
                if carved.contains(where: \.isEveryone) { continue }
                var exempted = rule.subject
                exempted.except += carved
                let subject = try subjectID(exempted, rule)
                var entry = capabilities[cap.number] ?? (SubjectSet(), SubjectSet(), [:])
                if action == .deny { entry.deny.insert(subject) } else { entry.audit.insert(subject) }
                entry.rules[subject] = entry.rules[subject] ?? index
                capabilities[cap.number] = entry
            }
        case .mount(let match):
            try addMount(rule, of: policy, action: action, match: match)
        }
    }

    mutating func addMount(_ rule: Rule, of policy: Policy, action: Action, match: MountMatch) throws(CompileError) {
        guard mountRules.count < ABI.Mount.ruleMax else {
            throw CompileError(rule: rule, message: "more than \(ABI.Mount.ruleMax) mount rules in one generation")
        }
        let subject = try subjectID(rule.subject, rule)
        let index = append(rule, of: policy, action: action)
        mountRules.append((rule: index, subject: subject, match: match))
        if !match.sources.isEmpty {
            diagnostics.append(
                Diagnostic(
                    .warning, file: rule.source.file, line: rule.source.line, column: rule.source.column,
                    "mount(2) gives the kernel the source as the string written: a symlink, /proc/self/fd/N or "
                        + "another mount of the same directory naming this source is not resolved and does not "
                        + "match (the new mount API's source is; docs/enforcement.md, Bypasses)"))
        }
    }

    /// An exec rule: its conditions, and its paths into the exec DFA. A rule whose only
    /// condition on the file is its content (`sha256:` and no path) is found through
    /// the content table instead.
    mutating func addExec(
        _ rule: Rule, of policy: Policy, action: Action, paths: [PathPattern], args: String?, content: ExecContent
    ) throws(CompileError) {
        let caller = rule.subject.isEveryone ? nil : try subjectID(rule.subject, rule)
        let target = try args.map { args throws(CompileError) in try subjectID(Subject(args: args), rule) }
        let condition = content.digests.isEmpty ? nil : try contentID(Array(Set(content.digests)).sorted(), rule)
        let index = append(rule, of: policy, action: action)
        if caller != nil || target != nil || condition != nil { execConditions[index] = (caller, target, condition) }
        guard !(paths.isEmpty && condition != nil) else { return }
        execPatterns += Self.execPaths(paths).map { (id: index, pattern: PathRegex.pattern(for: $0)) }
    }

    /// The id of the content condition `digests` (sorted, distinct).
    mutating func contentID(_ digests: [ContentDigest], _ rule: Rule) throws(CompileError) -> Int {
        if let id = contentConditions.firstIndex(of: digests) { return id }
        guard contentConditions.count < ABI.Digest.contentMax else {
            throw CompileError(
                rule: rule, message: "more than \(ABI.Digest.contentMax) distinct sha256 lists in one generation")
        }
        contentConditions.append(digests)
        return contentConditions.count - 1
    }

    /// An exec rule with no path condition (only arguments or a subject) is about every
    /// program: every canonical path starts with "/", and a program with no path on the
    /// host is matched as the empty path.
    static func execPaths(_ paths: [PathPattern]) -> [PathPattern] {
        paths.isEmpty ? [.prefix("/"), .anonymous] : paths
    }

    /// An `allow` carves an exception out of its own policy's rules (docs/policy.md,
    /// Precedence). Exec: the allow goes into the path DFA and, wherever it matches,
    /// its policy's other rules are dropped from the accept list (see `ordered`).
    /// Capabilities: `capabilityAllows` made it an exception of the policy's subjects.
    mutating func addAllow(_ rule: Rule, of policy: Policy) throws(CompileError) {
        switch rule.operation {
        case .exec(let paths, let args, let content):
            // With conditions, it is decided where it matches, at run time (pc_rules.h);
            // without, it is carved out of the accept lists here (`carvedOut`).
            try addExec(rule, of: policy, action: .allow, paths: paths, args: args, content: content)
        case .capability:
            return  // carved out of the policy's capability rules already
        case .mount(let match):
            try addMount(rule, of: policy, action: .allow, match: match)
        }
    }

    /// Per capability, the subjects of `policy`'s capability allow rules. An allow
    /// whose subject has exceptions of its own cannot be an exception: it is skipped
    /// with a warning (the policy's denials then stand without it).
    mutating func capabilityAllows(of policy: Policy) -> [Int: [Subject]] {
        var carved: [Int: [Subject]] = [:]
        for rule in policy.rules where rule.action == .allow {
            guard case .capability(let caps) = rule.operation else { continue }
            guard rule.subject.except.isEmpty else {
                notYet(rule, "allow rules whose subject has exceptions")
                continue
            }
            for cap in caps { carved[cap.number, default: []].append(rule.subject) }
        }
        return carved
    }

    mutating func append(_ rule: Rule, of policy: Policy, action: Action) -> Int {
        rules.append(CompiledRule(index: rules.count, policy: policy.name, rule: rule, action: action))
        return rules.count - 1
    }

    mutating func notYet(_ rule: Rule, _ what: String) {
        diagnostics.append(
            Diagnostic(
                .warning, file: rule.source.file, line: rule.source.line, column: rule.source.column,
                "\(what) are not enforced by this build yet; rule skipped"))
    }

    /// The id of `subject`; its exceptions get ids of their own, which `excepts` lists.
    mutating func subjectID(_ subject: Subject, _ rule: Rule) throws(CompileError) -> Int {
        if let id = subjects.firstIndex(of: subject) { return id }
        var exceptions = SubjectSet()
        for exception in subject.except { exceptions.insert(try subjectID(exception, rule)) }
        guard subjects.count < ABI.Subject.max else {
            throw CompileError(
                rule: rule, message: "more than \(ABI.Subject.max) distinct subjects in one generation")
        }
        subjects.append(subject)
        subjectRules.append(rule)
        if !subject.except.isEmpty { excepts.append((subjects.count - 1, exceptions)) }
        return subjects.count - 1
    }

    var ruleTable: [UInt32] {
        var table = [UInt32](repeating: 0, count: rules.count * ABI.Rule.words)
        var ordinals: [String: UInt32] = [:]
        for i in rules.indices where ordinals[rules[i].policy] == nil { ordinals[rules[i].policy] = UInt32(ordinals.count) }
        // By index: each rule's record is read in place, not copied.
        for (i, key) in zip(rules.indices, RuleKey.keys(of: rules)) {
            let index = rules[i].index
            let at = index * ABI.Rule.words
            table[at + ABI.Rule.action] = PolicyCompiler.kernelAction(rules[i].action)
            table[at + ABI.Rule.id] = UInt32(index)
            table[at + ABI.Rule.keyLow] = UInt32(truncatingIfNeeded: key.rawValue)
            table[at + ABI.Rule.keyHigh] = UInt32(truncatingIfNeeded: key.rawValue >> 32)
            table[at + ABI.Rule.policy] = ordinals[rules[i].policy] ?? 0
            if let conditions = execConditions[index] {
                table[at + ABI.Rule.caller] = conditions.caller.map { UInt32($0 + 1) } ?? 0
                table[at + ABI.Rule.args] = conditions.args.map { UInt32($0 + 1) } ?? 0
                table[at + ABI.Rule.content] = conditions.content.map { UInt32($0 + 1) } ?? 0
            }
        }
        return table
    }

    /// PC_HDR_EXEC_CONDITIONS: which kinds of conditions exec rules have.
    var execConditionBits: UInt32 {
        execConditions.reduce(0) { bits, entry in
            let (index, c) = entry
            return bits | (c.caller != nil ? ABI.ExecConditions.caller : 0) | (c.args != nil ? ABI.ExecConditions.args : 0)
                | (rules[index].action == .allow ? ABI.ExecConditions.allow : 0)
        }
    }

    /// One line per capability: denied subjects, then audited subjects.
    var capabilityTable: [UInt32] {
        var table = [UInt32](repeating: 0, count: ABI.Cap.count * ABI.lineWords)
        for (cap, entry) in capabilities {
            for i in 0..<ABI.Subject.words {
                table[cap * ABI.lineWords + ABI.Cap.deny + i] = entry.deny.words[i]
                table[cap * ABI.lineWords + ABI.Cap.audit + i] = entry.audit.words[i]
            }
        }
        return table
    }

    /// (capability, subject) → rule index + 1, for events.
    var capabilityRuleTable: [UInt32] {
        var table = [UInt32](repeating: 0, count: ABI.Cap.count * ABI.Subject.max)
        for (cap, entry) in capabilities {
            for (subject, rule) in entry.rules { table[cap * ABI.Subject.max + subject] = UInt32(rule + 1) }
        }
        return table
    }

    /// The files exec rules name by literal path, by identity, each with the accept
    /// list of the rules naming it.
    func writeInodes(into writer: inout ImageWriter, identify: (String) -> FileIdentity?) {
        var rulesByFile: [FileIdentity: Set<Int>] = [:]
        for rule in rules {
            guard case .exec(let paths, _, _) = rule.rule.operation else { continue }
            for path in paths {
                guard let literal = path.literalPath, let identity = identify(literal) else { continue }
                rulesByFile[identity, default: []].insert(rule.index)
            }
        }
        guard !rulesByFile.isEmpty else { return }
        let strength = { (i: Int) in (PolicyCompiler.kernelAction(rules[i].action), -i) }
        var lists: [FileIdentity: UInt32] = [:]
        for (identity, indexes) in rulesByFile.sorted(by: { ($0.key.device, $0.key.inode) < ($1.key.device, $1.key.inode) }) {
            let ordered = carvedOut(Array(indexes)).sorted { strength($0) > strength($1) }
            guard !ordered.isEmpty else { continue }
            lists[identity] = writer.append([UInt32(ordered.count)] + ordered.map { UInt32($0) })
        }
        let table = InodeTable(lists)
        writer.setHeader(ABI.Header.execInodes, writer.appendAligned(table.words))
        writer.setHeader(ABI.Header.execInodeMask, UInt32(table.capacity - 1))
    }

    /// The subject conditions: which subjects need no path, no argument or no cgroup
    /// match, and the DFAs.
    func writeSubjects(_ views: SubjectViews, into writer: inout ImageWriter, stateLimit: Int) throws(CompileError) {
        let pathPatterns = views.executables.map { (id: $0.subject, pattern: $0.pattern) }
        let argPatterns = views.arguments.map { (id: $0.subject, pattern: $0.pattern) }
        let cgroupPatterns = views.cgroups.map { (id: $0.subject, pattern: $0.pattern) }
        writer.setHeader(ABI.Header.subjectAny, writer.appendAligned(views.noExecutable.words + views.noArguments.words))
        writer.setHeader(ABI.Header.subjectNoCgroup, writer.appendSets([views.noCgroup]))
        if !pathPatterns.isEmpty {
            let dfa = try self.dfa(pathPatterns, stateLimit: stateLimit) { subjectRules[$0] }
            writer.setHeader(ABI.Header.subjectExeDFA, writer.appendSubjectDFA(dfa))
        }
        if !argPatterns.isEmpty {
            let dfa = try self.dfa(argPatterns, stateLimit: stateLimit) { subjectRules[$0] }
            writer.setHeader(ABI.Header.subjectArgsDFA, writer.appendSubjectDFA(dfa))
        }
        if !cgroupPatterns.isEmpty {
            let dfa = try self.dfa(cgroupPatterns, stateLimit: stateLimit) { subjectRules[$0] }
            writer.setHeader(ABI.Header.subjectCgroupDFA, writer.appendSubjectDFA(dfa))
        }
        let initialOnly = SubjectSet(subjects.indices.filter { subjects[$0].initialUserNamespaceOnly })
        if !initialOnly.isEmpty {
            writer.setHeader(ABI.Header.subjectInitialUserNamespace, writer.appendSets([initialOnly]))
        }
        writeUIDs(into: &writer)
        writeExcepts(into: &writer)
    }

    /// One line per subject with exceptions: its id, then the set of its exceptions.
    func writeExcepts(into writer: inout ImageWriter) {
        guard !excepts.isEmpty else { return }
        let lines = excepts.flatMap { entry in
            [UInt32(entry.subject)] + [UInt32](repeating: 0, count: ABI.Subject.words - 1) + entry.exceptions.words
        }
        writer.setHeader(ABI.Header.subjectExcepts, writer.appendAligned(lines))
        writer.setHeader(ABI.Header.subjectExceptCount, UInt32(excepts.count))
    }

    /// The uid conditions: the subjects with none, and per uid the subjects naming it.
    func writeUIDs(into writer: inout ImageWriter) {
        guard subjects.contains(where: { !$0.uids.isEmpty }) else { return }
        var noUID = SubjectSet()
        var byUID: [UInt32: SubjectSet] = [:]
        for (id, subject) in subjects.enumerated() {
            if subject.uids.isEmpty { noUID.insert(id) }
            for uid in subject.uids { byUID[uid, default: SubjectSet()].insert(id) }
        }
        var sets: [UInt32: UInt32] = [:]
        for (uid, set) in byUID.sorted(by: { $0.key < $1.key }) { sets[uid] = writer.appendSets([set]) }
        let table = UIDTable(sets)
        let section = writer.appendAligned(noUID.words + [UInt32](repeating: 0, count: ABI.lineWords - ABI.Subject.words))
        _ = writer.append(table.words)
        writer.setHeader(ABI.Header.subjectUIDs, section)
        writer.setHeader(ABI.Header.subjectUIDMask, UInt32(table.buckets.count - 1))
    }

    /// The product DFA of `patterns`; a blow-up names the rule of the pattern responsible.
    func dfa(
        _ patterns: [(id: Int, pattern: String)], stateLimit: Int, cache: PatternCache? = nil, rule: (Int) -> Rule
    ) throws(CompileError) -> DFA {
        do {
            return try DFACompiler.compile(patterns, stateLimit: stateLimit, cache: cache)
        } catch let error as DFACompileError {
            throw CompileError(rule: rule(error.patternID), message: error.message)
        } catch {
            throw CompileError(rule: rule(patterns[0].id), message: "\(error)")
        }
    }

    /// Accept lists in the order the kernel reads them: strongest action first, so the
    /// first PC_ACCEPT_MAX entries always decide.
    func ordered(_ dfa: DFA) -> DFA {
        var dfa = dfa
        let order = AcceptOrder(self)
        dfa.accepts = dfa.accepts.map { ids in ids.isEmpty ? ids : order.ordered(ids) }
        return dfa
    }

    /// The rules of an accept list left once `allow` rules without conditions have
    /// carved out their own policies: a policy with such a matching allow says nothing
    /// (its rules, the allow included, leave the list). An allow with conditions stays,
    /// for the kernel to decide (pc_rules.h).
    func carvedOut(_ ids: [Int]) -> [Int] {
        let silenced = Set(
            ids.filter { rules[$0].action == .allow && execConditions[$0] == nil }.map { rules[$0].policy })
        return silenced.isEmpty ? ids : ids.filter { !silenced.contains(rules[$0].policy) }
    }
}

/// A systemd unit or slice is a component of the cgroup path: the unit's own
/// cgroup and everything below it (`system.slice` holds the slices and services
/// under it), wherever it sits (`/user.slice/user-1000.slice/user@1000.service`).
enum CgroupRegex {
    static func pattern(forUnit unit: String) -> String {
        "^.*/" + PathRegex.escape(unit) + "(/.*)?$"
    }
}

/// Exact paths and prefixes become anchored regular expressions, so every path
/// condition is walked by the same DFA.
enum PathRegex {
    static func pattern(for path: PathPattern) -> String {
        switch path {
        case .exact(let p): return "^" + escape(p) + "$"
        case .prefix(let p): return "^" + escape(p)
        case .regex(let r): return r
        }
    }

    static func escape(_ literal: String) -> String { RegexPattern.escape(literal) }
}
