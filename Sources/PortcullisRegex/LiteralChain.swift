// A pattern that is `^` then a run of byte sets, optionally followed by `$`
// (every exact path and prefix rule: `^/usr/bin/kubectl$`, `^/opt/`), has a
// chain as its minimal DFA: state i + 1 has read i bytes of the run, the last
// one accepts (and without `$` keeps accepting). It is built directly, in the
// canonical numbering, without an NFA, subset construction or minimization.

struct LiteralChain: Equatable {
    /// The byte sets read one after the other; none is empty.
    var sets: [ByteSet]
    /// Whether the pattern ends with `$` (an exact path) or not (a prefix).
    var anchoredAtEnd: Bool

    init(sets: [ByteSet], anchoredAtEnd: Bool) {
        self.sets = sets
        self.anchoredAtEnd = anchoredAtEnd
    }

    /// The chain `node` is, or nil when it is anything else.
    init?(_ node: RegexNode) {
        var atoms: [RegexNode] = []
        guard Self.flatten(node, into: &atoms), atoms.first == .startAnchor else { return nil }
        anchoredAtEnd = atoms.count > 1 && atoms.last == .endAnchor
        sets = []
        for atom in atoms[1 ..< (anchoredAtEnd ? atoms.count - 1 : atoms.count)] {
            guard case .byteSet(let set) = atom, !set.isEmpty else { return nil }
            sets.append(set)
        }
    }

    /// The anchors and byte sets of a concatenation, in order; false when
    /// `node` has alternations or repetitions.
    private static func flatten(_ node: RegexNode, into atoms: inout [RegexNode]) -> Bool {
        switch node {
        case .empty: return true
        case .byteSet, .startAnchor, .endAnchor:
            atoms.append(node)
            return true
        case .group(let inner): return flatten(inner, into: &atoms)
        case .concatenation(let items):
            for item in items where !flatten(item, into: &atoms) { return false }
            return true
        case .alternation, .repetition: return false
        }
    }

    /// The most states subset construction creates for this chain: dead,
    /// start, one per byte read before the last, the end, and the state of
    /// having left the chain. Below a cap this size, the chain stays with
    /// subset construction, which decides whether the pattern fits.
    var subsetConstructionStates: Int { sets.count + 3 }

    /// The minimal DFA, numbered as `minimized()` numbers it: dead, then
    /// breadth-first from the start, which is the chain in order.
    func dfa(id: Int, classes: ByteClasses) -> DFA {
        let classCount = classes.count
        let last = UInt32(sets.count + 1)
        var transitions = [UInt32](repeating: DFA.dead, count: (sets.count + 2) * classCount)
        for (i, set) in sets.enumerated() {
            for c in classes.classes(of: set) { transitions[(i + 1) * classCount + Int(c)] = UInt32(i + 2) }
        }
        if !anchoredAtEnd {
            for c in 0..<classCount { transitions[Int(last) * classCount + c] = last }
        }
        var accepts = [[Int]](repeating: [], count: sets.count + 2)
        accepts[Int(last)] = [id]
        return DFA(
            byteClass: classes.classOf, classCount: classCount, stateCount: sets.count + 2,
            start: 1, transitions: transitions, accepts: accepts)
    }
}
