// The product of many DFAs built in one pass: the union of their languages
// with tagged accepts, the automaton the balanced tree of pairwise products
// gives once minimized, without the tree's intermediate levels.
//
// Each component has an idle state: the dead state when the component can
// die (an anchored pattern that no longer matches), otherwise its busiest
// non-accepting state (an unanchored pattern that has seen nothing of itself
// yet). A product state lists only the components away from their idle state,
// so components that have died cost nothing in later states.
//
// When every component is minimal and no two components accept the same id,
// the result is minimal too: two different product states differ in some
// component, whose two states are told apart by some input, and no other
// component accepts that component's id. It then only needs canonical numbering.

enum SimultaneousProduct {
    /// The reachable product of `parts` (sharing byte classes, state 0 dead in
    /// each); accepts are the union of the components' accepts. State 0 is dead.
    /// Throws as soon as the state count passes `stateLimit`.
    static func build(_ parts: [DFA], stateLimit: Int) throws(StateLimitExceeded) -> DFA {
        precondition(!parts.isEmpty)
        return try build(parts.map { .table($0) }, classes: parts[0].classes, stateLimit: stateLimit)
    }

    /// The same, for automata over `classes`.
    static func build(
        _ parts: [PatternAutomaton], classes: ByteClasses, stateLimit: Int
    ) throws(StateLimitExceeded) -> DFA {
        precondition(!parts.isEmpty)
        return try build(ProductComponents(parts, classes: classes), classes: classes, stateLimit: stateLimit)
    }

    /// The same, for components already laid out over `classes`.
    static func build(
        _ components: ProductComponents, classes: ByteClasses, stateLimit: Int
    ) throws(StateLimitExceeded) -> DFA {
        let (byteClass, classCount) = (classes.classOf, classes.count)

        var index = KernelIndex(capacity: 1024)
        var transitions = [UInt32](repeating: DFA.dead, count: classCount)  // the dead row
        var accepts: [[Int]] = [[]]
        var ids: [Int] = []

        /// The product state of `kernel`, adding it when new.
        func state(of kernel: [UInt64]) throws(StateLimitExceeded) -> UInt32 {
            if kernel.isEmpty && components.allIdleDead { return DFA.dead }
            let (found, inserted) = index.intern(kernel)
            if inserted {
                if found + 1 >= stateLimit { throw StateLimitExceeded() }
                ids.removeAll(keepingCapacity: true)
                for entry in kernel { components.appendAccepts(of: Int(entry), to: &ids) }
                accepts.append(Self.sortedUnique(&ids))
            }
            return UInt32(found + 1)
        }

        let start = try state(of: components.start)
        if start == DFA.dead {
            return DFA(
                byteClass: byteClass, classCount: classCount, stateCount: 1,
                start: DFA.dead, transitions: transitions, accepts: accepts)
        }
        var moves = [[UInt64]](repeating: [], count: classCount)
        var moved: [Int] = []  // the classes some listed component moves on
        var target: [UInt64] = []
        var current = 0
        while current < index.count {
            let kernel = Array(index.words[index.range(of: current)])
            components.move(kernel, into: &moves, moved: &moved)
            if components.allIdleDead {
                // No idle component leaves idle: the state dies on every class
                // nothing moves on (most of them), and the others are taken in
                // ascending order, as the canonical numbering visits them.
                let row = transitions.count
                transitions.append(contentsOf: repeatElement(DFA.dead, count: classCount))
                moved.sort()
                for c in moved {
                    transitions[row + c] = try state(of: moves[c])
                    moves[c].removeAll(keepingCapacity: true)
                }
                moved.removeAll(keepingCapacity: true)
                current += 1
                continue
            }
            for c in 0..<classCount {
                if components.leave[c].isEmpty {
                    transitions.append(try state(of: moves[c]))
                } else {
                    target.removeAll(keepingCapacity: true)
                    components.join(moves[c], leavingIdleOn: c, besides: kernel, into: &target)
                    transitions.append(try state(of: target))
                }
                moves[c].removeAll(keepingCapacity: true)
            }
            moved.removeAll(keepingCapacity: true)
            current += 1
        }
        return DFA(
            byteClass: byteClass, classCount: classCount, stateCount: accepts.count,
            start: start, transitions: transitions, accepts: accepts)
    }

    /// `ids` sorted, without duplicates.
    static func sortedUnique(_ ids: inout [Int]) -> [Int] {
        if ids.count < 2 { return ids }
        ids.sort()
        var out: [Int] = [ids[0]]
        for id in ids.dropFirst() where id != out[out.count - 1] { out.append(id) }
        return out
    }
}

extension DFA {
    /// The state a component of a product is left out in: dead when the DFA
    /// can reach it, otherwise the non-accepting state with the most
    /// self-loops (an unanchored pattern's "nothing seen yet"), else dead.
    var idleState: UInt32 { idleState(classWidths: [Int](repeating: 1, count: classCount)) }

    /// The same for this DFA spread over finer classes, `classWidths[k]` of
    /// them in its class k (each at least one): its self-loops counted in those.
    func idleState(classWidths: [Int]) -> UInt32 {
        if start == DFA.dead || transitions[classCount...].contains(DFA.dead) { return DFA.dead }
        var best = DFA.dead
        var bestLoops = -1
        for s in 1..<stateCount where accepts[s].isEmpty {
            var loops = 0
            for c in 0..<classCount where transitions[s * classCount + c] == UInt32(s) { loops += classWidths[c] }
            if loops > bestLoops { (best, bestLoops) = (UInt32(s), loops) }
        }
        return best
    }
}
