// The product of many DFAs built in one pass: the union of their languages
// with tagged accepts, the same automaton as the balanced tree of pairwise
// products, without the tree's intermediate levels.
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
        let classCount = parts[0].classCount
        let flat = FlatComponents(parts)

        var index = KernelIndex(capacity: 1024)
        var transitions = [UInt32](repeating: DFA.dead, count: classCount)  // the dead row
        var accepts: [[Int]] = [[]]
        var ids: [Int] = []

        /// The product state of `kernel`, adding it when new.
        func state(of kernel: [UInt64]) throws(StateLimitExceeded) -> UInt32 {
            if kernel.isEmpty && flat.allIdleDead { return DFA.dead }
            let (found, inserted) = index.intern(kernel)
            if inserted {
                if found + 1 >= stateLimit { throw StateLimitExceeded() }
                ids.removeAll(keepingCapacity: true)
                for entry in kernel { flat.appendAccepts(of: Int(entry), to: &ids) }
                accepts.append(Self.sortedUnique(&ids))
            }
            return UInt32(found + 1)
        }

        let start = try state(of: flat.start)
        if start == DFA.dead {
            return DFA(
                byteClass: parts[0].byteClass, classCount: classCount, stateCount: 1,
                start: DFA.dead, transitions: transitions, accepts: accepts)
        }
        var target: [UInt64] = []
        var current = 0
        while current < index.count {
            let kernel = Array(index.words[index.range(of: current)])
            for c in 0..<classCount {
                target.removeAll(keepingCapacity: true)
                flat.move(kernel, on: c, into: &target)
                transitions.append(try state(of: target))
            }
            current += 1
        }
        return DFA(
            byteClass: parts[0].byteClass, classCount: classCount, stateCount: accepts.count,
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

/// The components' states numbered globally (component by component), with
/// their transitions, accepts and idle states in flat arrays.
private struct FlatComponents {
    let classCount: Int
    /// global state * classCount + class → global target, or `idleMark` when
    /// the target is the component's idle state.
    var next: [UInt32] = []
    /// global state → component
    var component: [UInt32] = []
    /// The accepts of global state g: acceptIDs[acceptStart[g] ..< acceptStart[g + 1]].
    var acceptStart: [Int] = [0]
    var acceptIDs: [Int] = []
    /// Per class, where the components that are idle go, when they leave idle (sorted).
    var leave: [[UInt64]]
    /// The components away from idle at the start (sorted global states).
    var start: [UInt64] = []
    /// Whether every component idles in its dead state (so no kernel is the dead state).
    var allIdleDead = true

    static let idleMark = UInt32.max

    init(_ parts: [DFA]) {
        classCount = parts[0].classCount
        leave = [[UInt64]](repeating: [], count: classCount)
        var base = 0
        for (p, dfa) in parts.enumerated() {
            precondition(dfa.classCount == classCount && dfa.byteClass == parts[0].byteClass)
            let idle = dfa.idleState
            if idle != DFA.dead { allIdleDead = false }
            for t in dfa.transitions {
                next.append(t == idle ? Self.idleMark : UInt32(base) + t)
            }
            component.append(contentsOf: repeatElement(UInt32(p), count: dfa.stateCount))
            for ids in dfa.accepts {
                acceptIDs.append(contentsOf: ids)
                acceptStart.append(acceptIDs.count)
            }
            if dfa.start != idle { start.append(UInt64(base) + UInt64(dfa.start)) }
            if idle != DFA.dead {
                for c in 0..<classCount {
                    let t = dfa.transitions[Int(idle) * classCount + c]
                    if t != idle { leave[c].append(UInt64(base) + UInt64(t)) }
                }
            }
            base += dfa.stateCount
        }
    }

    func appendAccepts(of state: Int, to ids: inout [Int]) {
        ids.append(contentsOf: acceptIDs[acceptStart[state] ..< acceptStart[state + 1]])
    }

    /// The kernel after `kernel` reads class `c`: each listed component moves,
    /// and idle components that leave idle on `c` join.
    func move(_ kernel: [UInt64], on c: Int, into target: inout [UInt64]) {
        let joining = leave[c]
        if joining.isEmpty {
            for entry in kernel {
                let t = next[Int(entry) * classCount + c]
                if t != Self.idleMark { target.append(UInt64(t)) }
            }
            return
        }
        var j = 0
        for entry in kernel {
            let p = component[Int(entry)]
            while j < joining.count && component[Int(joining[j])] < p {
                target.append(joining[j])
                j += 1
            }
            // This component is not idle: its own move counts, not the idle one's.
            if j < joining.count && component[Int(joining[j])] == p { j += 1 }
            let t = next[Int(entry) * classCount + c]
            if t != Self.idleMark { target.append(UInt64(t)) }
        }
        target.append(contentsOf: joining[j...])
    }
}

extension DFA {
    /// The state a component of a product is left out in: dead when the DFA
    /// can reach it, otherwise the non-accepting state with the most
    /// self-loops (an unanchored pattern's "nothing seen yet"), else dead.
    var idleState: UInt32 {
        if start == DFA.dead || transitions[classCount...].contains(DFA.dead) { return DFA.dead }
        var best = DFA.dead
        var bestLoops = -1
        for s in 1..<stateCount where accepts[s].isEmpty {
            var loops = 0
            for c in 0..<classCount where transitions[s * classCount + c] == UInt32(s) { loops += 1 }
            if loops > bestLoops { (best, bestLoops) = (UInt32(s), loops) }
        }
        return best
    }
}
