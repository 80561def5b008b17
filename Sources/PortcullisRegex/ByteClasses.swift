// Byte equivalence classes: bytes that no pattern tells apart share a class,
// so the transition table has one column per class instead of 256.

struct ByteClasses: Equatable {
    /// byte → class; classes are numbered in order of their smallest byte.
    private(set) var classOf: [UInt8]
    private(set) var count: Int
    /// The smallest byte of each class.
    private(set) var representatives: [UInt8]

    /// The coarsest partition of 0...255 in which every set is a union of classes.
    init(refining sets: some Sequence<ByteSet>) {
        var classOf = [Int](repeating: 0, count: 256)
        var count = 1
        for set in sets {
            // (old class, in set) → new class, numbered by first (smallest) byte.
            var renumber = [Int](repeating: -1, count: 2 * count)
            var next = 0
            for b in 0..<256 {
                let key = 2 * classOf[b] + (set.contains(UInt8(b)) ? 1 : 0)
                if renumber[key] < 0 {
                    renumber[key] = next
                    next += 1
                }
                classOf[b] = renumber[key]
            }
            count = next
        }
        self.init(classOf: classOf, count: count)
    }

    /// From a byte → class map whose classes are numbered by smallest byte.
    init(classOf: [Int], count: Int) {
        self.classOf = classOf.map { UInt8($0) }
        self.count = count
        var reps = [UInt8](repeating: 0, count: count)
        var seen = [Bool](repeating: false, count: count)
        for b in 0..<256 where !seen[classOf[b]] {
            seen[classOf[b]] = true
            reps[classOf[b]] = UInt8(b)
        }
        representatives = reps
    }

    /// The coarsest classes that tell `sets` apart, each a union of these
    /// classes (each set must be one), and the coarse class of each of these
    /// classes. Coarse classes are numbered by smallest byte too.
    func coarsened(toSeparate sets: [ByteSet]) -> (classes: ByteClasses, coarseOf: [Int]) {
        var coarseOf = [Int](repeating: 0, count: count)
        var coarseCount = 1
        for set in sets {
            // (old coarse class, in set) → new coarse class, numbered by first class.
            var renumber = [Int](repeating: -1, count: 2 * coarseCount)
            var next = 0
            for c in 0..<count {
                let key = 2 * coarseOf[c] + (set.contains(representatives[c]) ? 1 : 0)
                if renumber[key] < 0 {
                    renumber[key] = next
                    next += 1
                }
                coarseOf[c] = renumber[key]
            }
            coarseCount = next
        }
        return (ByteClasses(classOf: classOf.map { coarseOf[Int($0)] }, count: coarseCount), coarseOf)
    }

    /// The classes whose bytes are in `set` (a union of classes by construction).
    func classes(of set: ByteSet) -> [Int32] {
        if let byte = set.onlyByte {  // the class whose smallest byte it is, if any
            let c = classOf[Int(byte)]
            return representatives[Int(c)] == byte ? [Int32(c)] : []
        }
        return (0..<count).filter { set.contains(representatives[$0]) }.map { Int32($0) }
    }
}

extension DFA {
    /// The same automaton over the finer `classes`, whose class c falls in
    /// class coarseOf[c] of this DFA's classes.
    func expanded(to classes: ByteClasses, coarseOf: [Int]) -> DFA {
        var table: [UInt32] = []
        table.reserveCapacity(stateCount * classes.count)
        for s in 0..<stateCount {
            for c in 0..<classes.count { table.append(transitions[s * classCount + coarseOf[c]]) }
        }
        return DFA(
            byteClass: classes.classOf, classCount: classes.count, stateCount: stateCount,
            start: start, transitions: table, accepts: accepts)
    }

    /// Merges classes whose transition columns are identical in every state,
    /// keeping classes numbered by their smallest byte. The columns are
    /// hashed in one pass over the table, row by row; classes whose hashes
    /// agree are then compared column to column.
    func mergingIdenticalClasses() -> DFA {
        let hashes = columnHashes()
        var newClass = [Int](repeating: 0, count: classCount)
        var kept: [Int] = []  // old class of each new class
        var byHash: [UInt64: [Int]] = [:]  // column hash → new classes with it
        for c in 0..<classCount {
            let candidates = byHash[hashes[c]] ?? []
            if let existing = candidates.first(where: { sameColumns(kept[$0], c) }) {
                newClass[c] = existing
            } else {
                byHash[hashes[c], default: []].append(kept.count)
                newClass[c] = kept.count
                kept.append(c)
            }
        }
        if kept.count == classCount { return self }
        var table = [UInt32](repeating: 0, count: stateCount * kept.count)
        for s in 0..<stateCount {
            for (nc, oc) in kept.enumerated() {
                table[s * kept.count + nc] = transitions[s * classCount + oc]
            }
        }
        // Old classes are numbered by smallest byte and new ones by their first
        // old class, so new classes are numbered by smallest byte too.
        return DFA(
            byteClass: byteClass.map { UInt8(newClass[Int($0)]) },
            classCount: kept.count, stateCount: stateCount, start: start,
            transitions: table, accepts: accepts)
    }
}

extension DFA {
    /// A hash of each class's column of transitions (FNV-1a over the targets).
    func columnHashes() -> [UInt64] {
        var hashes = [UInt64](repeating: 0xcbf2_9ce4_8422_2325, count: classCount)
        let classCount = self.classCount
        transitions.withUnsafeBufferPointer { table in
            hashes.withUnsafeMutableBufferPointer { hashes in
                for s in 0..<stateCount {
                    let row = s * classCount
                    for c in 0..<classCount { hashes[c] = (hashes[c] ^ UInt64(table[row + c])) &* 0x100_0000_01b3 }
                }
            }
        }
        return hashes
    }

    /// Whether classes `a` and `b` go to the same state from every state.
    func sameColumns(_ a: Int, _ b: Int) -> Bool {
        var row = 0
        for _ in 0..<stateCount {
            if transitions[row + a] != transitions[row + b] { return false }
            row += classCount
        }
        return true
    }
}
