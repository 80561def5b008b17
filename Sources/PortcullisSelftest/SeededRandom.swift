/// A deterministic random number generator (SplitMix64): one seed gives one
/// sequence, on every machine and toolchain, so a failing selftest can be rerun
/// exactly from the seed it printed. Draw through `below` and `pick`, not the
/// standard library's `random(in:using:)`, whose algorithm is not a promise.
public struct SeededRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// An independent stream for item `index` of a run seeded with `seed`.
    public init(seed: UInt64, stream index: Int) {
        var mixer = SeededRandom(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        state = mixer.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<count (count > 0).
    public mutating func below(_ count: Int) -> Int { Int(next() % UInt64(count)) }

    /// True with probability percent/100.
    public mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Between 1 and `limit` distinct items of `items`, in their original order.
    public mutating func some<T>(of items: [T], atMost limit: Int) -> [T] {
        let count = 1 + below(min(limit, items.count))
        var chosen = Set<Int>()
        while chosen.count < count { chosen.insert(below(items.count)) }
        return chosen.sorted().map { items[$0] }
    }
}
