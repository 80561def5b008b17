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

        // The classes each byte-consuming state moves on.
        var classCache: [ByteSet: [Int32]] = [:]
        var movesOn = [[Int32]](repeating: [], count: nfa.count)
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
            let pending = kernel.filter { nfa.states[Int($0)].kind == .assertEnd }
            if pending.isEmpty { return false }
            let seeds = pending.map { nfa.states[Int($0)].next[0] }
            return closer.closure(seeds, atStart: atStart, atEnd: true).contains(nfa.match)
        }
        /// Once the match state is reached the input matches whatever follows.
        func collapsed(_ kernel: [Int32]) -> [Int32] {
            kernel.contains(nfa.match) ? [nfa.match] : kernel
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
        var current = 1
        while current < kernels.count {
            for q in kernels[current] where nfa.states[Int(q)].kind == .bytes {
                let target = nfa.states[Int(q)].next[0]
                for c in movesOn[Int(q)] { buckets[Int(c)].append(target) }
            }
            for c in 0..<classCount {
                if buckets[c].isEmpty {
                    transitions.append(DFA.dead)
                    continue
                }
                let kernel = collapsed(closer.closure(buckets[c], atStart: false, atEnd: false))
                buckets[c].removeAll(keepingCapacity: true)
                if let existing = index[kernel] {
                    transitions.append(existing)
                    continue
                }
                if kernels.count >= stateLimit { throw StateLimitExceeded() }
                let new = UInt32(kernels.count)
                index[kernel] = new
                kernels.append(kernel)
                accepting.append(accepts(kernel, atStart: false))
                transitions.append(new)
            }
            current += 1
        }

        return DFA(
            byteClass: classes.classOf, classCount: classCount, stateCount: kernels.count,
            start: 1, transitions: transitions, accepts: accepting.map { $0 ? [id] : [] })
    }
}

/// Epsilon closures with a reusable visited mark.
private struct Closer {
    let nfa: NFA
    var mark: [UInt32]
    var stamp: UInt32 = 0
    var stack: [Int32] = []

    init(_ nfa: NFA) {
        self.nfa = nfa
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
            let state = nfa.states[Int(q)]
            var follow = false
            switch state.kind {
            case .bytes: kernel.append(q)
            case .split: follow = true
            case .assertStart: follow = atStart
            case .assertEnd:
                if atEnd { follow = true } else { kernel.append(q) }
            }
            if follow {
                for t in state.next where mark[Int(t)] != stamp {
                    mark[Int(t)] = stamp
                    stack.append(t)
                }
            }
        }
        kernel.sort()
        return kernel
    }
}
