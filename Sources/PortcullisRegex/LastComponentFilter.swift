// The names that can end a matching path: a cheap first test for files no rule can name.

extension DFA {
    /// A DFA over one path component (bytes other than `/`) that accepts every
    /// name `n` for which some text `p/n` is accepted by this DFA (`p` any text,
    /// the empty one included). A name it rejects ends no accepted path, so a file
    /// by that name cannot match, wherever it is: the kernel then skips reading
    /// its whole path. Its accepting states carry the accept list `[0]`.
    ///
    /// nil when it would be no use or cannot be kept small: this DFA accepts the
    /// empty text (an `anonymous` rule: files with no path match), no `/` leads
    /// anywhere, the filter would accept every name, or it needs more than
    /// `stateLimit` states.
    public func lastComponentFilter(stateLimit: Int = 4_096) -> DFA? {
        DFA.lastComponentFilter(of: [self], stateLimit: stateLimit)
    }

    /// `lastComponentFilter` of the union of `automata`' languages (a split exec
    /// pattern set: a name passes when it can end a path some automaton accepts);
    /// nil under the same conditions, in any of them. The subset construction
    /// runs over (automaton, state) pairs, on classes that are the same in every
    /// automaton, with `/` in a class of its own (the last).
    public static func lastComponentFilter(of automata: [DFA], stateLimit: Int = 4_096) -> DFA? {
        let slash = Int(UInt8(ascii: "/"))
        guard automata.allSatisfy({ $0.accepts[Int($0.start)].isEmpty }) else { return nil }

        // Joint classes: bytes in the same class of every automaton; `/` alone, last.
        var classOf = [UInt8](repeating: 0, count: 256)
        var joint: [[UInt8]: Int] = [:]
        var representative: [Int] = []
        for byte in 0..<256 where byte != slash {
            let key = automata.map { $0.byteClass[byte] }
            if let known = joint[key] {
                classOf[byte] = UInt8(known)
            } else {
                guard representative.count < 255 else { return nil }
                joint[key] = representative.count
                classOf[byte] = UInt8(representative.count)
                representative.append(byte)
            }
        }
        let slashAlone = representative.count
        classOf[slash] = UInt8(slashAlone)
        let classCount = slashAlone + 1

        // Subset construction over (automaton, state) pairs, from the states after a `/`.
        var start: [UInt64] = []
        for (k, dfa) in automata.enumerated() {
            let after = dfa.statesAfterSlash(slashClass: Int(dfa.byteClass[slash]))
            guard !after.contains(where: dfa.acceptsEverything) else { return nil }
            start += after.map { UInt64(k) << 32 | UInt64($0) }
        }
        guard !start.isEmpty else { return nil }
        var index: [[UInt64]: UInt32] = [[]: 0, start: 1]
        var subsets: [[UInt64]] = [[], start]
        var table = [UInt32](repeating: 0, count: classCount)  // the dead state's row
        var accepts: [[Int]] = [[]]
        var work = 0
        var next = 1
        while next < subsets.count {
            let subset = subsets[next]
            work += subset.count * classCount
            guard subsets.count <= stateLimit, work <= 5_000_000 else { return nil }
            accepts.append(
                subset.contains { !automata[Int($0 >> 32)].accepts[Int(UInt32(truncatingIfNeeded: $0))].isEmpty }
                    ? [0] : [])
            for c in 0..<classCount {
                guard c != slashAlone else {
                    table.append(0)
                    continue
                }
                var target = Set<UInt64>()
                for element in subset {
                    let k = Int(element >> 32)
                    let t = automata[k].next(UInt32(truncatingIfNeeded: element), UInt8(representative[c]))
                    if t != DFA.dead { target.insert(UInt64(k) << 32 | UInt64(t)) }
                }
                let sorted = target.sorted()
                if let known = index[sorted] {
                    table.append(known)
                } else {
                    index[sorted] = UInt32(subsets.count)
                    table.append(UInt32(subsets.count))
                    subsets.append(sorted)
                }
            }
            next += 1
        }
        let filter = DFA(
            byteClass: classOf, classCount: classCount, stateCount: subsets.count, start: 1,
            transitions: table, accepts: accepts
        ).minimized().mergingIdenticalClasses()
        return filter.acceptsEveryName ? nil : filter
    }

    /// The states one `/` leads to from any state reachable from the start.
    func statesAfterSlash(slashClass: Int) -> [UInt32] {
        var seen = [Bool](repeating: false, count: stateCount)
        var queue = [Int(start)]
        seen[Int(start)] = true
        var after = [Bool](repeating: false, count: stateCount)  // (not a set: tens of thousands of states)
        while let state = queue.popLast() {
            for c in 0..<classCount {
                let t = Int(transitions[state * classCount + c])
                if c == slashClass && t != Int(DFA.dead) { after[t] = true }
                if !seen[t] {
                    seen[t] = true
                    queue.append(t)
                }
            }
        }
        return after.indices.filter { after[$0] }.map { UInt32($0) }
    }

    /// Whether `state` accepts and every byte leads back to it: it accepts whatever follows.
    func acceptsEverything(_ state: UInt32) -> Bool {
        let s = Int(state)
        return !accepts[s].isEmpty && (0..<classCount).allSatisfy { transitions[s * classCount + $0] == state }
    }

    /// Whether every name (bytes other than `/`, the empty one included) is accepted.
    var acceptsEveryName: Bool {
        var seen = [Bool](repeating: false, count: stateCount)
        var queue = [Int(start)]
        seen[Int(start)] = true
        while let state = queue.popLast() {
            if state == Int(DFA.dead) || accepts[state].isEmpty { return false }
            for byte in 0..<256 where byte != Int(UInt8(ascii: "/")) {
                let t = Int(transitions[state * classCount + Int(byteClass[byte])])
                if !seen[t] {
                    seen[t] = true
                    queue.append(t)
                }
            }
        }
        return true
    }
}
