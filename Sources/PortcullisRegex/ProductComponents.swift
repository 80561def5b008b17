// The components of a simultaneous product, with their states numbered
// globally (component after component, so a sorted list of global states is
// sorted by component). Each state keeps only its transitions that leave the
// component's idle state out: a literal's state has one, where a full table
// row would have one per class.

struct ProductComponents {
    let classCount: Int
    /// The transitions of global state g that do not go to its component's idle
    /// state: classes and global targets at rowStart[g] ..< rowStart[g + 1].
    private var rowStart: [Int] = [0]
    private var rowClass: [UInt16] = []
    private var rowTarget: [UInt32] = []
    /// global state → component
    private var component: [UInt32] = []
    /// The accepts of global state g: acceptIDs[acceptStart[g] ..< acceptStart[g + 1]].
    private var acceptStart: [Int] = [0]
    private var acceptIDs: [Int] = []
    /// Per class, where the idle components that leave idle on it go (sorted).
    private(set) var leave: [[UInt64]]
    /// The components away from idle at the start (sorted global states).
    private(set) var start: [UInt64] = []
    /// Whether every component idles in its dead state (so no kernel is the dead state).
    private(set) var allIdleDead = true

    init(_ parts: [DFA]) { self.init(parts.map { .table($0) }, classes: parts[0].classes) }

    /// `classes`: the classes of every part.
    init(_ parts: [PatternAutomaton], classes: ByteClasses) {
        classCount = classes.count
        leave = [[UInt64]](repeating: [], count: classCount)
        var base: UInt32 = 0
        for (p, part) in parts.enumerated() {
            switch part {
            case .chain(let chain, let id) where chain.canDie:
                appendChain(chain, id: id, classes: classes, component: UInt32(p), base: base)
                base += UInt32(chain.sets.count + 2)
            case .spread(let own, let coarseOf):
                appendTable(own, coarseOf: coarseOf, component: UInt32(p), base: base)
                base += UInt32(own.stateCount)
            default:
                let dfa = part.dfa(classes)
                precondition(dfa.classCount == classCount && dfa.byteClass == classes.classOf)
                appendTable(dfa, component: UInt32(p), base: base)
                base += UInt32(dfa.stateCount)
            }
        }
    }

    /// Groups' products (`GroupedProduct`), each over its own classes (which
    /// `classes` refine), its component k accepting ids[k].
    init(groups: [(automaton: GroupAutomaton, ids: [Int])], classes: ByteClasses) {
        classCount = classes.count
        leave = [[UInt64]](repeating: [], count: classCount)
        var base: UInt32 = 0
        for (p, group) in groups.enumerated() {
            appendGroup(group.automaton, ids: group.ids, classes: classes, component: UInt32(p), base: base)
            base += UInt32(group.automaton.stateCount)
        }
    }

    /// A group's rows, each of its own classes spread over the product's
    /// classes within it, idle where the group is idle.
    private mutating func appendGroup(
        _ group: GroupAutomaton, ids: [Int], classes: ByteClasses, component p: UInt32, base: UInt32
    ) {
        var within = [[UInt16]](repeating: [], count: group.classes.count)  // the product's classes in each own class
        for (c, own) in classes.coarseOf(in: group.classes).enumerated() { within[own].append(UInt16(c)) }
        let idle = Int(group.idle)
        if idle != Int(DFA.dead) { allIdleDead = false }
        group.forEachState { s, accepted in
            group.forEachTransition(of: s) { own, target in
                for c in within[own] {
                    rowClass.append(c)
                    rowTarget.append(base + target)
                    if s == idle { leave[Int(c)].append(UInt64(base + target)) }
                }
            }
            rowStart.append(rowClass.count)
            component.append(p)
            for k in accepted { acceptIDs.append(ids[Int(k)]) }
            acceptStart.append(acceptIDs.count)
        }
        if group.start != group.idle { start.append(UInt64(base + group.start)) }
    }

    /// A chain's states as `LiteralChain.dfa` numbers them, idle in the dead
    /// state: the same rows `appendTable` reads off its table.
    private mutating func appendChain(_ chain: LiteralChain, id: Int, classes: ByteClasses, component p: UInt32, base: UInt32) {
        let last = chain.sets.count + 1
        for s in 0..<(last + 1) {
            if s >= 1 && s < last {
                let set = chain.sets[s - 1]
                if let byte = set.onlyByte {  // most are: its class alone, without a list of classes
                    let c = classes.classOf[Int(byte)]
                    if classes.representatives[Int(c)] == byte {
                        rowClass.append(UInt16(c))
                        rowTarget.append(base + UInt32(s + 1))
                    }
                } else {
                    for c in classes.classes(of: set) {
                        rowClass.append(UInt16(c))
                        rowTarget.append(base + UInt32(s + 1))
                    }
                }
            } else if s == last && !chain.anchoredAtEnd {
                for c in 0..<classCount {
                    rowClass.append(UInt16(c))
                    rowTarget.append(base + UInt32(last))
                }
            }
            rowStart.append(rowClass.count)
            component.append(p)
            if s == last { acceptIDs.append(id) }
            acceptStart.append(acceptIDs.count)
        }
        start.append(UInt64(base + 1))
    }

    private mutating func appendTable(_ dfa: DFA, component p: UInt32, base: UInt32) {
        appendTable(dfa, coarseOf: Array(0..<classCount), component: p, base: base)
    }

    /// A table whose class for each of the product's classes c is coarseOf[c]
    /// (the identity for a table over the product's classes): the rows of the
    /// table spread over the product's classes, without making that table.
    private mutating func appendTable(_ dfa: DFA, coarseOf: [Int], component p: UInt32, base: UInt32) {
        var width = [Int](repeating: 0, count: dfa.classCount)  // the product's classes in each of its classes
        for k in coarseOf { width[k] += 1 }
        let idle = dfa.idleState(classWidths: width)
        if idle != DFA.dead { allIdleDead = false }
        let own = dfa.classCount
        for s in 0..<dfa.stateCount {
            for c in 0..<classCount {
                let t = dfa.transitions[s * own + coarseOf[c]]
                if t == idle { continue }
                rowClass.append(UInt16(c))
                rowTarget.append(base + t)
            }
            rowStart.append(rowClass.count)
            component.append(p)
            acceptIDs.append(contentsOf: dfa.accepts[s])
            acceptStart.append(acceptIDs.count)
        }
        if dfa.start != idle { start.append(UInt64(base + dfa.start)) }
        if idle != DFA.dead {
            for c in 0..<classCount {
                let t = dfa.transitions[Int(idle) * own + coarseOf[c]]
                if t != idle { leave[c].append(UInt64(base + t)) }
            }
        }
    }

    func appendAccepts(of state: Int, to ids: inout [Int]) {
        ids.append(contentsOf: acceptIDs[acceptStart[state] ..< acceptStart[state + 1]])
    }

    /// Where the listed components of `kernel` go on each class, leaving out
    /// those that go idle: moves[c], sorted, for every class c (each empty
    /// before); `moved` gets each class whose list is not empty, once.
    func move(_ kernel: [UInt64], into moves: inout [[UInt64]], moved: inout [Int]) {
        for entry in kernel {
            for r in rowStart[Int(entry)] ..< rowStart[Int(entry) + 1] {
                let c = Int(rowClass[r])
                if moves[c].isEmpty { moved.append(c) }
                moves[c].append(UInt64(rowTarget[r]))
            }
        }
    }

    /// `moved` (the listed components after class c) joined by the idle
    /// components that leave idle on c; a component listed in `kernel` was not
    /// idle, so it does not join, whether or not it moved.
    func join(_ moved: [UInt64], leavingIdleOn c: Int, besides kernel: [UInt64], into target: inout [UInt64]) {
        let joining = leave[c]
        var k = 0  // in kernel
        var m = 0  // in moved
        for entry in joining {
            let p = component[Int(entry)]
            while k < kernel.count && component[Int(kernel[k])] < p { k += 1 }
            if k < kernel.count && component[Int(kernel[k])] == p { continue }
            while m < moved.count && moved[m] < entry {
                target.append(moved[m])
                m += 1
            }
            target.append(entry)
        }
        target.append(contentsOf: moved[m...])
    }
}
