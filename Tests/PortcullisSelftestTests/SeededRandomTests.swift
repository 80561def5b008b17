import PortcullisSelftest
import Testing

@Suite struct SeededRandomTests {
    @Test func isSplitMix64() {
        var rng = SeededRandom(seed: 0)
        #expect(
            [rng.next(), rng.next(), rng.next()] == [
                0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F,
            ])
    }

    @Test func sameSeedSameSequenceAndStreamsDiffer() {
        var a = SeededRandom(seed: 42, stream: 3)
        var b = SeededRandom(seed: 42, stream: 3)
        var c = SeededRandom(seed: 42, stream: 4)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
    }

    @Test func someIsOrderedDistinctAndBounded() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<200 {
            let chosen = rng.some(of: [1, 2, 3, 4], atMost: 2)
            #expect((1...2).contains(chosen.count))
            #expect(chosen == chosen.sorted() && Set(chosen).count == chosen.count)
        }
    }
}
