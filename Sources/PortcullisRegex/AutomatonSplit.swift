// Patterns split into several automata when one product of them all would
// pass the state cap: the kernel then walks each over the text (still one
// step per byte per automaton) and takes the accept lists of all of them.
// A set that fits in one gives exactly the DFA `DFACompiler.compile` gives.

extension DFACompiler {
    /// The patterns as at most `automatonLimit` DFAs, each within `stateLimit`
    /// states: one when they fit together (the DFA `compile` gives), else the
    /// rules (components, one per id, in ascending order of id) packed in turn,
    /// each automaton taking as many of the next ones as fit. `companions[id]`:
    /// ids whose patterns must be in every automaton holding `id` (an `allow`
    /// that carves its policy's rules out of the accept lists where it matches).
    /// Throws `PatternSyntaxError`, or `DFACompileError` naming a pattern over
    /// the cap on its own, or the first rule left over once `automatonLimit`
    /// automata are full.
    public static func compileAutomata(
        _ patterns: [(id: Int, pattern: String)], stateLimit: Int = defaultStateLimit, automatonLimit: Int,
        companions: [Int: [Int]] = [:], cache: PatternCache? = nil
    ) throws -> [DFA] {
        // After a change: the groups of patterns that did not change are found in the cache.
        var overCap = false
        if let cache, !patterns.isEmpty {
            switch groupedProduct(patterns, stateLimit: stateLimit, cache: cache) {
            case .product(let dfa): return [dfa]
            case .overCap: overCap = true
            case .unavailable: break
            }
        }
        let sources = try sources(patterns, stateLimit: stateLimit, cache: cache)
        let classes = classes(of: sources)
        let singles = try singleAutomata(patterns, sources: sources, classes: classes, stateLimit: stateLimit, cache: cache)
        if singles.isEmpty { return [empty] }
        guard
            let components = try? componentsByID(
                singles, ids: patterns.map(\.id), classes: classes, stateLimit: stateLimit)
        else {
            // A rule's own patterns went over the cap as one component: as `compile` does.
            return [try combined(singles, patterns, classes: classes, stateLimit: stateLimit)]
        }
        if !overCap, let product = try? SimultaneousProduct.build(components, classes: classes, stateLimit: stateLimit) {
            return [product.mergingIdenticalClasses().renumbered()]
        }
        let split = AutomatonSplit(
            components: components.map { $0.dfa(classes) }, ids: Set(patterns.map(\.id)).sorted(), companions: companions,
            stateLimit: stateLimit)
        return try split.pack(automatonLimit: automatonLimit) { id, message throws(DFACompileError) in
            let p = patterns.first { $0.id == id }!
            throw DFACompileError(
                patternID: id, pattern: p.pattern, stateLimit: stateLimit,
                message: "pattern #\(id) '\(p.pattern)' \(message); \(hint)")
        }
    }
}

/// The components of a product too large for one automaton, packed into several.
struct AutomatonSplit {
    /// One minimal DFA per id, over shared classes, in ascending order of id.
    let components: [DFA]
    let ids: [Int]
    let companions: [Int: [Int]]
    let stateLimit: Int
    /// id → its component's position.
    let position: [Int: Int]

    init(components: [DFA], ids: [Int], companions: [Int: [Int]], stateLimit: Int) {
        (self.components, self.ids, self.companions, self.stateLimit) = (components, ids, companions, stateLimit)
        position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
    }

    /// Components `range` with their companions in one product, canonical; nil over the cap.
    func automaton(_ range: Range<Int>) -> DFA? {
        var members = Set(range)
        for k in range {
            for id in companions[ids[k]] ?? [] {
                if let at = position[id] { members.insert(at) }
            }
        }
        let parts = members.sorted().map { components[$0] }
        guard let product = try? SimultaneousProduct.build(parts, stateLimit: stateLimit) else { return nil }
        return product.mergingIdenticalClasses().renumbered()
    }

    /// The automata, each the longest run of the next components that fits
    /// (found by doubling, then bisection: a run's product is never smaller than
    /// that of a shorter one). `fail` is called with the id left over and why.
    func pack(
        automatonLimit: Int, fail: (Int, String) throws(DFACompileError) -> Never
    ) throws(DFACompileError) -> [DFA] {
        var automata: [DFA] = []
        var next = 0
        while next < components.count {
            guard automata.count < automatonLimit else {
                try fail(
                    ids[next],
                    "does not fit: the exec patterns need more than \(automatonLimit) automata of "
                        + "\(stateLimit) states (the \(next) rule\(next == 1 ? "" : "s") before it fit)")
            }
            guard var best = automaton(next..<next + 1) else {
                try fail(ids[next], "makes an automaton exceed \(stateLimit) states with the allow rules of its policy")
            }
            let remaining = components.count - next
            var fits = 1
            var fails = remaining + 1  // the shortest run known not to fit
            while fits < remaining && fails == remaining + 1 {
                let trial = min(2 * fits, remaining)
                if let dfa = automaton(next..<next + trial) { (fits, best) = (trial, dfa) } else { fails = trial }
            }
            while fails - fits > 1 && fits < remaining {
                let middle = (fits + fails) / 2
                if let dfa = automaton(next..<next + middle) { (fits, best) = (middle, dfa) } else { fails = middle }
            }
            automata.append(best)
            next += fits
        }
        return automata
    }
}
