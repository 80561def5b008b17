// The byte sets of many patterns, gathered for their byte classes. Most are
// single bytes (the letters of literal paths): those are kept in one bitmap
// instead of being hashed one by one into a set.

struct ByteSetCollector {
    /// The bytes that some pattern tests alone.
    private var singleBytes = ByteSet()
    /// The other sets.
    private var others: Set<ByteSet> = [.all]

    mutating func insert(_ set: ByteSet) {
        if let byte = set.onlyByte { singleBytes.insert(byte) } else { others.insert(set) }
    }

    /// Every set inserted (and all bytes), each once.
    var sets: [ByteSet] { Array(others) + singleBytes.bytes.map { ByteSet($0) } }
}

extension ByteSet {
    /// The byte of a set of exactly one byte.
    var onlyByte: UInt8? {
        guard count == 1 else { return nil }
        if w0 != 0 { return UInt8(w0.trailingZeroBitCount) }
        if w1 != 0 { return UInt8(64 + w1.trailingZeroBitCount) }
        if w2 != 0 { return UInt8(128 + w2.trailingZeroBitCount) }
        return UInt8(192 + w3.trailingZeroBitCount)
    }
}

extension ByteClasses {
    /// These classes' numbers in `own`, classes that these refine (each of
    /// these within one of its classes): `coarsened(toSeparate:)`'s coarseOf
    /// for the sets whose own classes `own` are.
    func coarseOf(in own: ByteClasses) -> [Int] {
        representatives.map { Int(own.classOf[Int($0)]) }
    }

    /// Each class as the set of its bytes.
    var sets: [ByteSet] {
        var sets = [ByteSet](repeating: ByteSet(), count: count)
        for b in 0..<256 { sets[Int(classOf[b])].insert(UInt8(b)) }
        return sets
    }
}
