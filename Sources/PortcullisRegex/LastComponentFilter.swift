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
        guard accepts[Int(start)].isEmpty else { return nil }
        let slash = Int(byteClass[Int(UInt8(ascii: "/"))])
        let afterSlash = statesAfterSlash(slashClass: slash)
        guard !afterSlash.isEmpty else { return nil }
        // A state that accepts whatever follows (a prefix rule's, after its last `/`): every name passes.
        guard !afterSlash.contains(where: acceptsEverything) else { return nil }

        // Classes: this DFA's, with `/` split off into a class of its own (the last).
        var classOf = byteClass
        let slashAlone = classCount
        classOf[Int(UInt8(ascii: "/"))] = UInt8(truncatingIfNeeded: slashAlone)
        guard classCount + 1 <= 256 else { return nil }
        let filterClasses = classCount + 1

        // Subset construction from the states after a `/`; subsets are sorted, dead-free.
        var index: [[UInt32]: UInt32] = [[]: 0]
        var subsets: [[UInt32]] = [[], afterSlash]
        index[afterSlash] = 1
        var table: [UInt32] = Array(repeating: 0, count: filterClasses)  // the dead state's row
        var filterAccepts: [[Int]] = [[]]
        var work = 0
        var next = 1
        while next < subsets.count {
            let subset = subsets[next]
            work += subset.count * classCount
            guard subsets.count <= stateLimit, work <= 5_000_000 else { return nil }
            filterAccepts.append(subset.contains { !accepts[Int($0)].isEmpty } ? [0] : [])
            for c in 0..<filterClasses {
                guard c != slashAlone else {
                    table.append(0)
                    continue
                }
                var target = Set<UInt32>()
                for state in subset {
                    let t = transitions[Int(state) * classCount + c]
                    if t != DFA.dead { target.insert(t) }
                }
                let sorted = target.sorted()
                if let known = index[sorted] {
                    table.append(known)
                } else {
                    let id = UInt32(subsets.count)
                    index[sorted] = id
                    subsets.append(sorted)
                    table.append(id)
                }
            }
            next += 1
        }
        let filter = DFA(
            byteClass: classOf, classCount: filterClasses, stateCount: subsets.count, start: 1,
            transitions: table, accepts: filterAccepts
        ).minimized().mergingIdenticalClasses()
        return filter.acceptsEveryName ? nil : filter
    }

    /// The states one `/` leads to from any state reachable from the start.
    func statesAfterSlash(slashClass: Int) -> [UInt32] {
        var seen = [Bool](repeating: false, count: stateCount)
        var queue = [Int(start)]
        seen[Int(start)] = true
        var after = Set<UInt32>()
        while let state = queue.popLast() {
            for c in 0..<classCount {
                let t = Int(transitions[state * classCount + c])
                if c == slashClass && t != Int(DFA.dead) { after.insert(UInt32(t)) }
                if !seen[t] {
                    seen[t] = true
                    queue.append(t)
                }
            }
        }
        return after.sorted()
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
