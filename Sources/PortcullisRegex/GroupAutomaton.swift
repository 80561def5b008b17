// The product of one group of components (GroupedProduct), kept between
// compiles as the simultaneous product reads it: per state, only its
// transitions that do not go to the group's idle state, over the group's own
// byte classes, and the group's components (numbered 0...) it accepts. A
// group of anchored paths is a trie, a transition or two per state, where a
// table would hold a word per state and class.

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
    private let rowTarget: [UInt32]
    /// The components state s accepts: acceptComponents[acceptStart[s] ..< acceptStart[s + 1]].
    private let acceptStart: [UInt32]
    private let acceptComponents: [UInt32]

    /// `dfa`: the group's minimal product, its accepts numbering its components.
    init(_ dfa: DFA) {
        precondition(dfa.classCount <= 256)
        (classes, stateCount, start) = (dfa.classes, dfa.stateCount, dfa.start)
        var widths = [Int](repeating: 0, count: dfa.classCount)  // bytes in each class
        for c in dfa.byteClass { widths[Int(c)] += 1 }
        let idle = dfa.idleState(classWidths: widths)
        var rowStart: [UInt32] = [0]
        var rowClass: [UInt8] = []
        var rowTarget: [UInt32] = []
        var acceptStart: [UInt32] = [0]
        var acceptComponents: [UInt32] = []
        rowStart.reserveCapacity(dfa.stateCount + 1)
        acceptStart.reserveCapacity(dfa.stateCount + 1)
        for s in 0..<dfa.stateCount {
            for c in 0..<dfa.classCount {
                let t = dfa.transitions[s * dfa.classCount + c]
                if t == idle { continue }
                rowClass.append(UInt8(c))
                rowTarget.append(t)
            }
            rowStart.append(UInt32(rowClass.count))
            acceptComponents += dfa.accepts[s].map { UInt32($0) }
            acceptStart.append(UInt32(acceptComponents.count))
        }
        self.idle = idle
        (self.rowStart, self.rowClass, self.rowTarget) = (rowStart, rowClass, rowTarget)
        (self.acceptStart, self.acceptComponents) = (acceptStart, acceptComponents)
    }

    /// Each transition of `state` that does not go to `idle`: its class and target.
    func forEachTransition(of state: Int, _ body: (Int, UInt32) -> Void) {
        for r in Int(rowStart[state]) ..< Int(rowStart[state + 1]) { body(Int(rowClass[r]), rowTarget[r]) }
    }

    /// The components `state` accepts.
    func acceptedComponents(of state: Int) -> ArraySlice<UInt32> {
        acceptComponents[Int(acceptStart[state]) ..< Int(acceptStart[state + 1])]
    }

    /// The bytes it keeps.
    var bytes: Int { 2 * 256 + (rowStart.count + acceptStart.count + rowTarget.count + acceptComponents.count) * 4 + rowClass.count }
}
