// Subset construction: one pattern's search NFA → DFA over byte classes.

/// Internal signal: the automaton being built has more states than allowed.
struct StateLimitExceeded: Error {}

enum SubsetConstruction {
    /// The DFA of one pattern; accepting states carry `[id]`. State 0 is dead,
    /// state 1 the start. Throws as soon as the state count passes `stateLimit`.
    static func build(
        _ nfa: NFA, id: Int, classes: ByteClasses, stateLimit: Int
    ) throws(StateLimitExceeded) -> DFA {
        let classCount = classes.count
        var closer = Closer(nfa)

        // The classes each byte-consuming state moves on, unless it moves on
        // every class (the search loops, `.` over a class-less alphabet).
        var classCache: [ByteSet: [Int32]] = [:]
        var movesOn = [[Int32]](repeating: [], count: nfa.count)
        var movesEverywhere = [Bool](repeating: false, count: nfa.count)
        var hasStartAssertion = false
        for (q, state) in nfa.states.enumerated() {
            switch state.kind {
            case .bytes:
                if let cached = classCache[state.set] {
                    movesOn[q] = cached
                } else {
                    let list = classes.classes(of: state.set)
                    classCache[state.set] = list
                    movesOn[q] = list
                }
                movesEverywhere[q] = movesOn[q].count == classCount
            case .assertStart: hasStartAssertion = true
            case .split, .assertEnd: break
            }
        }

        // DFA states are identified by their kernel: the sorted byte-consuming
        // and end-assertion NFA states of the epsilon closure.
        var index: [[Int32]: UInt32] = [[]: DFA.dead]
        var kernels: [[Int32]] = [[]]
        var accepting: [Bool] = [false]

        func accepts(_ kernel: [Int32], atStart: Bool) -> Bool {
            if kernel.contains(nfa.match) { return true }
            let pending = kernel.filter { closer.kind[Int($0)] == .assertEnd }
            if pending.isEmpty { return false }
            let seeds = pending.map { closer.target[Int($0)] }
            return closer.closure(seeds, atStart: atStart, atEnd: true).contains(nfa.match)
        }
        /// Once the match state is reached the input matches whatever follows.
        func collapsed(_ kernel: [Int32]) -> [Int32] {
            kernel.contains(nfa.match) ? [nfa.match] : kernel
        }
        /// The DFA state after moving to `seeds` (not at the start), added when new.
        func state(after seeds: [Int32]) throws(StateLimitExceeded) -> UInt32 {
            let kernel = collapsed(closer.closure(seeds, atStart: false, atEnd: false))
            if let existing = index[kernel] { return existing }
            if kernels.count >= stateLimit { throw StateLimitExceeded() }
            let new = UInt32(kernels.count)
            index[kernel] = new
            kernels.append(kernel)
            accepting.append(accepts(kernel, atStart: false))
            return new
        }

        // The start state: ^ holds here, so when the pattern uses ^ its state
        // is kept apart from any later state with the same kernel.
        let startKernel = collapsed(closer.closure([nfa.start], atStart: true, atEnd: false))
        if stateLimit < 2 { throw StateLimitExceeded() }
        kernels.append(startKernel)
        accepting.append(accepts(startKernel, atStart: true))
        if !hasStartAssertion { index[startKernel] = 1 }

        var transitions = [UInt32](repeating: DFA.dead, count: classCount)  // dead row
        var buckets = [[Int32]](repeating: [], count: classCount)
        // The targets of the kernel's states that move on every class: every
        // class whose bucket has nothing else goes to the same state.
        var everywhere: [Int32] = []
        var current = 1
        while current < kernels.count {
            everywhere.removeAll(keepingCapacity: true)
            for q in kernels[current] where closer.kind[Int(q)] == .bytes {
                let target = closer.target[Int(q)]
                if movesEverywhere[Int(q)] {
                    everywhere.append(target)
                } else {
                    for c in movesOn[Int(q)] { buckets[Int(c)].append(target) }
                }
            }
            var everywhereState: UInt32?
            for c in 0..<classCount {
                if !buckets[c].isEmpty {
                    buckets[c].append(contentsOf: everywhere)
                    transitions.append(try state(after: buckets[c]))
                    buckets[c].removeAll(keepingCapacity: true)
                } else if everywhere.isEmpty {
                    transitions.append(DFA.dead)
                } else if let known = everywhereState {
                    transitions.append(known)
                } else {
                    let next = try state(after: everywhere)
                    everywhereState = next
                    transitions.append(next)
                }
            }
            current += 1
        }

        return DFA(
            byteClass: classes.classOf, classCount: classCount, stateCount: kernels.count,
            start: 1, transitions: transitions, accepts: accepting.map { $0 ? [id] : [] })
    }
}

/// Epsilon closures with a reusable visited mark, over the NFA in flat arrays.
private struct Closer {
    /// Per NFA state: its kind, and its one successor (bytes and assertions).
    let kind: [NFA.Kind]
    let target: [Int32]
    /// The successors of split state q: splitTargets[splitStart[q] ..< splitStart[q + 1]].
    let splitStart: [Int32]
    let splitTargets: [Int32]
    var mark: [UInt32]
    var stamp: UInt32 = 0
    var stack: [Int32] = []

    init(_ nfa: NFA) {
        kind = nfa.states.map(\.kind)
        target = nfa.states.map { $0.next.first ?? -1 }
        var starts: [Int32] = [0]
        var targets: [Int32] = []
        for state in nfa.states {
            if state.kind == .split { targets.append(contentsOf: state.next) }
            starts.append(Int32(targets.count))
        }
        splitStart = starts
        splitTargets = targets
        mark = [UInt32](repeating: 0, count: nfa.count)
    }

    /// The sorted kernel of the closure of `seeds`: byte-consuming states, plus
    /// end assertions not yet followed. `^` edges are followed only when
    /// `atStart`, `$` edges only when `atEnd`.
    mutating func closure(_ seeds: [Int32], atStart: Bool, atEnd: Bool) -> [Int32] {
        stamp &+= 1
        if stamp == 0 {
            for i in mark.indices { mark[i] = 0 }
            stamp = 1
        }
        var kernel: [Int32] = []
        stack.removeAll(keepingCapacity: true)
        for s in seeds where mark[Int(s)] != stamp {
            mark[Int(s)] = stamp
            stack.append(s)
        }
        while let q = stack.popLast() {
            switch kind[Int(q)] {
            case .bytes:
                kernel.append(q)
            case .split:
                for i in Int(splitStart[Int(q)]) ..< Int(splitStart[Int(q) + 1]) {
                    visit(splitTargets[i])
                }
            case .assertStart:
                if atStart { visit(target[Int(q)]) }
            case .assertEnd:
                if atEnd { visit(target[Int(q)]) } else { kernel.append(q) }
            }
        }
        kernel.sort()
        return kernel
    }

    private mutating func visit(_ t: Int32) {
        if mark[Int(t)] != stamp {
            mark[Int(t)] = stamp
            stack.append(t)
        }
    }
}
