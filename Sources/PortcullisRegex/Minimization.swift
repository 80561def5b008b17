// Hopcroft minimization and canonical numbering.

extension DFA {
    /// The minimal DFA for the same language (per accept set), canonically
    /// numbered. Requires state 0 to be dead (as every DFA built here has).
    func minimized() -> DFA {
        let partition = HopcroftPartition(self)
        let blocks = partition.blockCount
        var table = [UInt32](repeating: 0, count: blocks * classCount)
        var blockAccepts = [[Int]](repeating: [], count: blocks)
        for b in 0..<blocks {
            let rep = partition.representative(of: b)
            blockAccepts[b] = accepts[rep]
            for c in 0..<classCount {
                table[b * classCount + c] =
                    UInt32(partition.blockOf[Int(transitions[rep * classCount + c])])
            }
        }
        let quotient = DFA(
            byteClass: byteClass, classCount: classCount, stateCount: blocks,
            start: UInt32(partition.blockOf[Int(start)]), transitions: table,
            accepts: blockAccepts)
        return quotient.renumbered(dead: partition.blockOf[0])
    }

    /// Canonical numbering: `dead` becomes 0, then the states reachable from
    /// the start in breadth-first order, visiting classes in ascending order.
    /// Unreachable states (other than the dead one) are dropped.
    func renumbered(dead: Int32 = 0) -> DFA {
        var newIndex = [Int32](repeating: -1, count: stateCount)
        var order: [Int] = [Int(dead)]
        newIndex[Int(dead)] = 0
        if newIndex[Int(start)] < 0 {
            newIndex[Int(start)] = 1
            order.append(Int(start))
        }
        var i = 1
        while i < order.count {
            let s = order[i]
            for c in 0..<classCount {
                let t = Int(transitions[s * classCount + c])
                if newIndex[t] < 0 {
                    newIndex[t] = Int32(order.count)
                    order.append(t)
                }
            }
            i += 1
        }
        // A product is built in this order already: nothing to renumber.
        if order.count == stateCount && order.indices.allSatisfy({ order[$0] == $0 }) { return self }
        var table = [UInt32](repeating: 0, count: order.count * classCount)
        for (n, s) in order.enumerated() {
            for c in 0..<classCount {
                table[n * classCount + c] = UInt32(newIndex[Int(transitions[s * classCount + c])])
            }
        }
        return DFA(
            byteClass: byteClass, classCount: classCount, stateCount: order.count,
            start: UInt32(newIndex[Int(start)]), transitions: table,
            accepts: order.map { accepts[$0] })
    }
}

/// The coarsest partition of the states that respects accept sets and
/// transitions (Hopcroft's algorithm; splitters are whole blocks, processed
/// for every class, with the "smaller half" rule).
private struct HopcroftPartition {
    /// state → block
    private(set) var blockOf: [Int32]
    /// States grouped by block: block b is elements[first[b]..<end[b]].
    private var elements: [Int32]
    private var location: [Int32]
    private var first: [Int32] = []
    private var end: [Int32] = []

    var blockCount: Int { first.count }
    func representative(of block: Int) -> Int { Int(elements[Int(first[block])]) }

    init(_ dfa: DFA) {
        let n = dfa.stateCount
        let classCount = dfa.classCount

        // Initial partition: by accept set, blocks numbered by first state.
        blockOf = [Int32](repeating: 0, count: n)
        var acceptBlock: [[Int]: Int32] = [:]
        var sizes: [Int32] = []
        for s in 0..<n {
            if let b = acceptBlock[dfa.accepts[s]] {
                blockOf[s] = b
                sizes[Int(b)] += 1
            } else {
                let b = Int32(sizes.count)
                acceptBlock[dfa.accepts[s]] = b
                blockOf[s] = b
                sizes.append(1)
            }
        }
        var offset: Int32 = 0
        for size in sizes {
            first.append(offset)
            end.append(offset + size)
            offset += size
        }
        elements = [Int32](repeating: 0, count: n)
        location = [Int32](repeating: 0, count: n)
        var fill = first
        for s in 0..<n {
            let b = Int(blockOf[s])
            elements[Int(fill[b])] = Int32(s)
            location[s] = fill[b]
            fill[b] += 1
        }

        // Inverse transitions in compressed rows: the predecessors of t on
        // class c are predecessors[rowStart[c*n+t] ..< rowStart[c*n+t+1]].
        let keys = classCount * n
        var rowStart = [Int32](repeating: 0, count: keys + 1)
        for s in 0..<n {
            for c in 0..<classCount {
                rowStart[c * n + Int(dfa.transitions[s * classCount + c]) + 1] += 1
            }
        }
        for k in 0..<keys { rowStart[k + 1] += rowStart[k] }
        var predecessors = [Int32](repeating: 0, count: keys)
        var cursor = rowStart
        for s in 0..<n {
            for c in 0..<classCount {
                let k = c * n + Int(dfa.transitions[s * classCount + c])
                predecessors[Int(cursor[k])] = Int32(s)
                cursor[k] += 1
            }
        }

        // Refinement.
        var work: [Int32] = (0..<Int32(first.count)).reversed().map { $0 }
        var inWork = [Bool](repeating: true, count: first.count)
        var marked = [Int32](repeating: 0, count: first.count)  // marked prefix length per block
        var touched: [Int32] = []
        var splitter: [Int32] = []
        while let b = work.popLast() {
            inWork[Int(b)] = false
            splitter.removeAll(keepingCapacity: true)
            splitter.append(contentsOf: elements[Int(first[Int(b)])..<Int(end[Int(b)])])
            for c in 0..<classCount {
                // Mark the predecessors on c of the splitter, moving each to the
                // front of its block.
                for t in splitter {
                    let k = c * n + Int(t)
                    for i in Int(rowStart[k])..<Int(rowStart[k + 1]) {
                        let p = Int(predecessors[i])
                        let pb = Int(blockOf[p])
                        let boundary = first[pb] + marked[pb]
                        if location[p] < boundary { continue }  // already marked
                        if marked[pb] == 0 { touched.append(Int32(pb)) }
                        let other = elements[Int(boundary)]
                        elements[Int(location[p])] = other
                        location[Int(other)] = location[p]
                        elements[Int(boundary)] = Int32(p)
                        location[p] = boundary
                        marked[pb] += 1
                    }
                }
                // Split every touched block into marked / unmarked parts.
                for tb in touched {
                    let y = Int(tb)
                    let m = marked[y]
                    marked[y] = 0
                    let size = end[y] - first[y]
                    if m == size { continue }
                    let newBlock = Int32(first.count)
                    first.append(first[y])
                    end.append(first[y] + m)
                    first[y] += m
                    marked.append(0)
                    for i in Int(first[Int(newBlock)])..<Int(end[Int(newBlock)]) {
                        blockOf[Int(elements[i])] = newBlock
                    }
                    if inWork[y] {
                        inWork.append(true)
                        work.append(newBlock)
                    } else if m <= size - m {
                        inWork.append(true)
                        work.append(newBlock)
                    } else {
                        inWork.append(false)
                        inWork[y] = true
                        work.append(Int32(y))
                    }
                }
                touched.removeAll(keepingCapacity: true)
            }
        }
    }
}
