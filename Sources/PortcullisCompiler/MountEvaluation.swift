/// The mount hooks of the reference evaluator (bpf/mount.bpf.c, word for word).
extension ImageEvaluator {
    /// One mount as the hooks see it.
    public struct MountCall: Sendable {
        /// The source string given to mount(2); nil when none (remount, move_mount).
        public var source: String?
        /// The canonical path of the mount point.
        public var target: String
        public var fstype: String?
        /// MS_* flags.
        public var flags: UInt64
        /// The new mount API (move_mount): flags bind and move; the source is the tree's
        /// host path (a clone) or its filesystem's source (fsmount), nil when unreadable;
        /// the type nil when unreadable.
        public var detached: Bool

        public init(source: String?, target: String, fstype: String?, flags: UInt64, detached: Bool = false) {
            self.source = source
            self.target = target
            self.fstype = fstype
            self.flags = flags
            self.detached = detached
        }
    }

    public func mount(_ call: MountCall, by task: Task) -> Decision {
        let at = Int(image[ABI.Header.mount])
        guard at != 0 else { return .allow }
        let all = SubjectSet(words: [UInt32](repeating: ~0, count: ABI.Subject.words))
        let any = Int(image[at + ABI.Mount.any])
        func condition(_ dfaWord: Int, none: SubjectSet, text: String?, matchAll: Bool) -> SubjectSet {
            let dfa = Int(image[at + dfaWord])
            guard dfa != 0 else { return all }
            if matchAll { return all }
            return none.union(set(at: walk(dfa: dfa, over: Array((text ?? "").utf8))))
        }
        // mount(2)'s source is a string: one that is not an absolute, canonical path could name
        // anything. The new mount API's is what the hook read (nil: unreadable, fail closed).
        let source = call.source
        let sourceUnknown = call.detached ? source == nil : (source.map { !Self.isCanonical($0) } ?? false)
        let typeUnknown = call.detached && call.fstype == nil
        var candidates = condition(
            ABI.Mount.targetDFA, none: set(at: any), text: call.target,
            matchAll: call.target.utf8.count >= ABI.pathMax)
        candidates = candidates.intersection(
            condition(
                ABI.Mount.sourceDFA, none: set(at: any + ABI.Subject.words), text: source,
                matchAll: sourceUnknown))
        candidates = candidates.intersection(
            condition(
                ABI.Mount.fstypeDFA, none: set(at: Int(image[at + ABI.Mount.noFstype])),
                text: call.fstype, matchAll: typeUnknown))
        var flags = call.detached ? ABI.Mount.flagBit(0) | ABI.Mount.flagBit(2) : call.flags
        // A move brings a mount of any kind to the target, a bind mount among them: it meets `bind` too.
        if flags & ABI.Mount.flagBit(2) != 0 { flags |= ABI.Mount.flagBit(0) }
        let flagSets = Int(image[at + ABI.Mount.flagSets])
        for f in 0..<ABI.Mount.flagCount where flags & ABI.Mount.flagBit(f) == 0 {
            let required = set(at: flagSets + f * ABI.Subject.words)
            candidates = SubjectSet(words: zip(candidates.words, required.words).map { $0 & ~$1 })
        }
        let subjects = self.subjects(of: task)
        let table = Int(image[at + ABI.Mount.rules])
        let entry = { (m: Int, word: Int) in Int(self.image[table + m * ABI.Mount.ruleWords + word]) }
        let subject = { (m: Int) in entry(m, 1) & (ABI.Subject.max - 1) }
        let matching = (0..<Int(image[at + ABI.Mount.ruleCount])).filter { m in
            candidates.contains(m) && subjects.possible.contains(subject(m))
        }
        // A matching allow rule whose subject the task certainly is silences its policy's
        // mount rules (pc_mount_pick_step, pass 0), unless the mount could not be read
        // whole: what matched by failing closed, or by an unknown condition, grants nothing.
        let uncertain = call.target.utf8.count >= ABI.pathMax || sourceUnknown || typeUnknown
        let silenced =
            uncertain
            ? SubjectSet()
            : matching.filter { subjects.certain.contains(subject($0)) }.reduce(SubjectSet()) {
                $0.union(set(at: entry($1, 2)))
            }
        return strongest(matching.filter { !silenced.contains($0) }.map { entry($0, 0) })
    }

    /// An absolute source without "//" or "/." in it (a hidden name fails closed too).
    static func isCanonical(_ source: String) -> Bool {
        source.hasPrefix("/") && !source.contains("//") && !source.contains("/.")
    }
}
