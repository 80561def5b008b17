// Interning of state sets: each distinct list of words gets a number, in order
// of first appearance. The lists live back to back in one array and are found
// by open addressing, so interning a list allocates nothing of its own.

struct KernelIndex {
    /// Every interned list, back to back: list i is words[starts[i] ..< starts[i + 1]].
    private(set) var words: [UInt64] = []
    private(set) var starts: [Int] = [0]
    /// Hash table of list numbers (-1: empty slot); the capacity is a power of two.
    private var slots: [Int32]
    private var hashes: [UInt64] = []

    init(capacity: Int = 64) {
        var size = 16
        while size < 2 * capacity { size *= 2 }
        slots = [Int32](repeating: -1, count: size)
    }

    var count: Int { starts.count - 1 }

    /// The words of list `i`.
    func range(of i: Int) -> Range<Int> { starts[i] ..< starts[i + 1] }

    /// The number of `list`, and whether it was added by this call.
    mutating func intern(_ list: [UInt64]) -> (index: Int, inserted: Bool) {
        let hash = Self.hash(list)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let found = Int(slots[slot])
            if found < 0 { break }
            if hashes[found] == hash && equals(found, list) { return (found, false) }
            slot = (slot + 1) & mask
        }
        let index = count
        slots[slot] = Int32(index)
        hashes.append(hash)
        words.append(contentsOf: list)
        starts.append(words.count)
        if 2 * count > slots.count { grow() }
        return (index, true)
    }

    private func equals(_ i: Int, _ list: [UInt64]) -> Bool {
        let start = starts[i]
        guard starts[i + 1] - start == list.count else { return false }
        for k in 0..<list.count where words[start + k] != list[k] { return false }
        return true
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (index, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }

    static func hash(_ list: [UInt64]) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(list.count)
        for w in list {
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
        }
        return h ^ (h >> 32)
    }
}
