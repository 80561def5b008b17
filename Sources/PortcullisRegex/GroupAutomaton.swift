// The product of one group of components (GroupedProduct), kept between
// compiles as the simultaneous product reads it: per state, only its
// transitions that do not go to the group's idle state, over the group's own
// byte classes, and the group's components (numbered 0...) its accepting
// states accept. A group of anchored paths is a trie, a transition or two per
// state, where a table would hold a word per state and class. It is what the
// daemon keeps at rest for each group: arrays of exactly their size, and
// targets in two bytes when the group has at most 65,536 states.

struct GroupAutomaton: Sendable {
    /// The group's own classes.
    let classes: ByteClasses
    let stateCount: Int
    let start: UInt32
    /// The state the group is left out in by a product (`DFA.idleState`): non-accepting.
    let idle: UInt32
    /// The transitions of state s that do not go to `idle`: classes and
    /// targets at rowStart[s] ..< rowStart[s + 1].
    private let rowStart: [UInt32]
    private let rowClass: [UInt8]
    private let rowTarget: Targets
    /// The accepting states in ascending order, each with a component it
    /// accepts (a state that accepts several is listed once for each).
    private let acceptingStates: [UInt32]
    private let acceptedComponents: [UInt32]

    /// State numbers in two bytes each, or four when some need them.
    private enum Targets: Sendable {
        case narrow([UInt16])
        case wide([UInt32])

        subscript(k: Int) -> UInt32 {
            switch self {
            case .narrow(let targets): return UInt32(targets[k])
            case .wide(let targets): return targets[k]
            }
        }
    }

    /// `dfa`: the group's minimal product, its accepts numbering its components.
    init(_ dfa: DFA) {
        precondition(dfa.classCount <= 256)
        (classes, stateCount, start) = (dfa.classes, dfa.stateCount, dfa.start)
        var widths = [Int](repeating: 0, count: dfa.classCount)  // bytes in each class
        for c in dfa.byteClass { widths[Int(c)] += 1 }
        let idle = dfa.idleState(classWidths: widths)
        self.idle = idle
        let kept = dfa.transitions.indices.filter { dfa.transitions[$0] != idle }
        var rowStart = [UInt32](repeating: 0, count: dfa.stateCount + 1)
        for k in kept { rowStart[k / dfa.classCount + 1] += 1 }
        for s in 0..<dfa.stateCount { rowStart[s + 1] += rowStart[s] }
        self.rowStart = rowStart
        rowClass = kept.map { UInt8($0 % dfa.classCount) }
        rowTarget = dfa.stateCount <= 1 << 16
            ? .narrow(kept.map { UInt16(truncatingIfNeeded: dfa.transitions[$0]) })
            : .wide(kept.map { dfa.transitions[$0] })
        let accepting = dfa.accepts.indices.flatMap { s in dfa.accepts[s].map { (state: s, component: $0) } }
        acceptingStates = accepting.map { UInt32($0.state) }
        acceptedComponents = accepting.map { UInt32($0.component) }
    }

    /// Each transition of `state` that does not go to `idle`: its class and target.
    func forEachTransition(of state: Int, _ body: (Int, UInt32) -> Void) {
        for r in Int(rowStart[state]) ..< Int(rowStart[state + 1]) { body(Int(rowClass[r]), rowTarget[r]) }
    }

    /// Each state in ascending order, with the components it accepts.
    func forEachState(_ body: (Int, ArraySlice<UInt32>) -> Void) {
        var a = 0
        for s in 0..<stateCount {
            let first = a
            while a < acceptingStates.count && acceptingStates[a] == UInt32(s) { a += 1 }
            body(s, acceptedComponents[first..<a])
        }
    }

    /// The bytes it keeps.
    var bytes: Int {
        let targets = switch rowTarget {
        case .narrow(let t): 2 * t.count
        case .wide(let t): 4 * t.count
        }
        return 2 * 256 + 4 * (rowStart.count + acceptingStates.count + acceptedComponents.count) + rowClass.count + targets
    }
}
