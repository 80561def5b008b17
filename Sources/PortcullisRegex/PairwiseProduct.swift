// Pairwise products: a rule's several patterns combined into one DFA, the
// balanced tree that decides when those go over the cap, and adding patterns
// one at a time to name the first one that does not fit.

extension DFACompiler {
    /// Combines DFAs in a balanced tree of products, minimizing each: the
    /// minimal DFA of some of the patterns is never larger than that of all of
    /// them, so this touches far fewer states than adding patterns one at a time.
    static func combinePairwise(_ dfas: [DFA], stateLimit: Int) throws(StateLimitExceeded) -> DFA {
        var level = dfas
        while level.count > 1 {
            var next: [DFA] = []
            next.reserveCapacity((level.count + 1) / 2)
            for i in stride(from: 0, to: level.count, by: 2) {
                guard i + 1 < level.count else {
                    next.append(level[i])
                    continue
                }
                next.append(try product(level[i], level[i + 1], stateLimit: stateLimit).minimized())
            }
            level = next
        }
        return level[0]
    }

    /// Adds the patterns' DFAs one at a time; throws naming the first pattern
    /// whose addition exceeds the cap.
    static func combineIncrementally(
        _ singles: [DFA], _ patterns: [(id: Int, pattern: String)], stateLimit: Int
    ) throws(DFACompileError) -> DFA {
        var combined = singles[0]
        for k in 1..<singles.count {
            do {
                combined = try product(combined, singles[k], stateLimit: stateLimit).minimized()
            } catch {
                let p = patterns[k]
                throw DFACompileError(
                    patternID: p.id, pattern: p.pattern, stateLimit: stateLimit,
                    message: "pattern #\(p.id) '\(p.pattern)' makes the combined DFA exceed "
                        + "\(stateLimit) states (the \(k) pattern\(k == 1 ? "" : "s") before it "
                        + "fit); \(hint)")
            }
        }
        // Only when a rule's own patterns went over the cap in the balanced
        // tree, and adding the patterns one at a time did not.
        return combined
    }

    /// The reachable part of the product automaton: accepts are the union of
    /// both sides' accepts. Both inputs share byte classes and have state 0 dead.
    static func product(_ a: DFA, _ b: DFA, stateLimit: Int) throws(StateLimitExceeded) -> DFA {
        precondition(a.classCount == b.classCount && a.byteClass == b.byteClass)
        let classCount = a.classCount
        var index: [UInt64: UInt32] = [0: DFA.dead]
        var pairs: [(UInt32, UInt32)] = [(DFA.dead, DFA.dead)]
        var transitions = [UInt32](repeating: DFA.dead, count: classCount)

        func state(_ x: UInt32, _ y: UInt32) throws(StateLimitExceeded) -> UInt32 {
            let key = UInt64(x) << 32 | UInt64(y)
            if let existing = index[key] { return existing }
            if pairs.count >= stateLimit { throw StateLimitExceeded() }
            let new = UInt32(pairs.count)
            index[key] = new
            pairs.append((x, y))
            return new
        }

        let start = try state(a.start, b.start)
        var current = 1
        while current < pairs.count {
            let (x, y) = pairs[current]
            for c in 0..<classCount {
                transitions.append(
                    try state(
                        a.transitions[Int(x) * classCount + c],
                        b.transitions[Int(y) * classCount + c]))
            }
            current += 1
        }
        return DFA(
            byteClass: a.byteClass, classCount: classCount, stateCount: pairs.count,
            start: start, transitions: transitions,
            accepts: pairs.map { mergeSorted(a.accepts[Int($0.0)], b.accepts[Int($0.1)]) })
    }

    /// The sorted union of two sorted id lists, without duplicates.
    static func mergeSorted(_ x: [Int], _ y: [Int]) -> [Int] {
        if x.isEmpty { return y }
        if y.isEmpty { return x }
        var out: [Int] = []
        out.reserveCapacity(x.count + y.count)
        var i = 0
        var j = 0
        while i < x.count || j < y.count {
            let next: Int
            if j >= y.count || (i < x.count && x[i] <= y[j]) {
                next = x[i]
                i += 1
            } else {
                next = y[j]
                j += 1
            }
            if out.last != next { out.append(next) }
        }
        return out
    }
}
