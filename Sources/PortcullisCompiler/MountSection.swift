import PortcullisPolicy

/// The mount section of the image (portcullis_abi.h, "the mount section").
extension ImagePlan {
    /// Flag number f of the ABI's order, as the policy model names it.
    static let mountFlagOrder: [MountFlag] = [.bind, .remount, .move, .recursive, .readOnly, .noSuid, .noDev, .noExec]

    func writeMount(into writer: inout ImageWriter, stateLimit: Int) throws(CompileError) {
        var noTarget = SubjectSet()
        var noSource = SubjectSet()
        var noFstype = SubjectSet()
        var targets: [(id: Int, pattern: String)] = []
        var sources: [(id: Int, pattern: String)] = []
        var fstypes: [(id: Int, pattern: String)] = []
        var flagSets = [SubjectSet](repeating: SubjectSet(), count: ABI.Mount.flagCount)
        var table: [UInt32] = []
        for (m, mount) in mountRules.enumerated() {
            let match = mount.match
            if match.targets.isEmpty { noTarget.insert(m) }
            if match.sources.isEmpty { noSource.insert(m) }
            if match.fsTypes.isEmpty { noFstype.insert(m) }
            targets += match.targets.map { (id: m, pattern: PathRegex.pattern(for: $0)) }
            sources += match.sources.map { (id: m, pattern: PathRegex.pattern(for: $0)) }
            fstypes += match.fsTypes.map { (id: m, pattern: PathRegex.pattern(for: .exact($0))) }
            for (f, flag) in Self.mountFlagOrder.enumerated() where match.flags.contains(flag) { flagSets[f].insert(m) }
            table += [UInt32(mount.rule), UInt32(mount.subject), 0, 0]
        }
        // An allow rule silences its own policy's mount rules (docs/policy.md, Precedence).
        for (m, mount) in mountRules.enumerated() where rules[mount.rule].action == .allow {
            let policy = rules[mount.rule].policy
            let silenced = SubjectSet(mountRules.indices.filter { rules[mountRules[$0].rule].policy == policy })
            table[m * ABI.Mount.ruleWords + 2] = writer.appendSets([silenced])
        }
        let rule = { (m: Int) in rules[mountRules[m].rule].rule }
        var section = [UInt32](repeating: 0, count: ABI.Mount.words)
        for (word, patterns) in [(ABI.Mount.targetDFA, targets), (ABI.Mount.sourceDFA, sources), (ABI.Mount.fstypeDFA, fstypes)]
        where !patterns.isEmpty {
            section[word] = writer.appendSubjectDFA(try dfa(patterns, stateLimit: stateLimit, rule: rule))
        }
        section[ABI.Mount.any] = writer.appendAligned(noTarget.words + noSource.words)
        section[ABI.Mount.noFstype] = writer.appendSets([noFstype])
        section[ABI.Mount.flagSets] = writer.appendSets(flagSets)
        section[ABI.Mount.rules] = writer.append(table)
        section[ABI.Mount.ruleCount] = UInt32(mountRules.count)
        writer.setHeader(ABI.Header.mount, writer.append(section))
    }
}
