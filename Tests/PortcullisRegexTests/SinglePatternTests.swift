import PropertyBased
import Testing
@testable import PortcullisRegex

@Suite("One pattern's DFA, built over its own classes")
struct SinglePatternTests {
    static let others = ["[a-c]+", "/", #"\w"#, "1", "[[:punct:]]", "A|b"]

    @Test func ownClassesGiveTheDFAOfTheSharedClasses() async throws {
        await propertyCheck(count: 1000, input: Gen.int(in: 0...9999).array(of: 0...40), Gen.int(in: 0...6)) { values, extra in
            var chooser = Chooser(values)
            let node = genPattern(&chooser)
            let parsed = try! RegexPattern.parse(node.posix)
            var sets: Set<ByteSet> = [.all]
            parsed.collectByteSets(into: &sets)
            for other in Self.others.prefix(extra) { try! RegexPattern.parse(other).collectByteSets(into: &sets) }
            let classes = ByteClasses(refining: sets)
            for limit in [8, 60, 2000] {
                let reference = try? SubsetConstruction.build(
                    NFA(searching: parsed), id: 3, classes: classes, stateLimit: limit
                ).minimized()
                let single = DFACompiler.single(parsed, id: 3, classes: classes, stateLimit: limit).dfa
                #expect(single == reference, "\(node.posix) with \(extra) other patterns, cap \(limit)")
            }
        }
    }

    /// What a compile kept of a pattern (its DFA over its own classes) gives, in
    /// another set of patterns and under another id, the DFA built from scratch there.
    @Test func aPatternsOwnDFAIsReusedInAnyOtherSet() async throws {
        final class Count: @unchecked Sendable { var reused = 0 }
        let count = Count()
        await propertyCheck(count: 500, input: Gen.int(in: 0...9999).array(of: 0...40), Gen.int(in: 0...6)) { values, extra in
            var chooser = Chooser(values)
            let node = genPattern(&chooser)
            let parsed = try! RegexPattern.parse(node.posix)
            var alone: Set<ByteSet> = [.all]
            parsed.collectByteSets(into: &alone)
            var others = alone
            for other in Self.others.prefix(extra) { try! RegexPattern.parse(other).collectByteSets(into: &others) }
            let limit = 2000
            let first = DFACompiler.single(parsed, id: 3, classes: ByteClasses(refining: alone), stateLimit: limit)
            let later = ByteClasses(refining: others)
            let fresh = DFACompiler.single(parsed, id: 7, classes: later, stateLimit: limit)
            let reused = DFACompiler.single(parsed, id: 7, classes: later, stateLimit: limit, own: first.own)
            #expect(reused.dfa == fresh.dfa, "\(node.posix) with \(extra) other patterns")
            if first.own != nil { count.reused += 1 }
        }
        // Literal chains are built directly, not kept: most drawn patterns are not.
        #expect(count.reused > 100, "only \(count.reused) of 500 patterns had a DFA of their own to reuse")
    }

    @Test func coarsenedClassesSeparateExactlyTheGivenSets() throws {
        let digits = ByteSet(UInt8(ascii: "0")...UInt8(ascii: "9"))
        let fine = ByteClasses(refining: [.all, digits, ByteSet(UInt8(ascii: "5")), ByteSet(UInt8(ascii: "a")), ByteSet(UInt8(ascii: "b"))])
        #expect(fine.count == 5)  // the rest, 0-4 and 6-9, 5, a, b
        let coarse = fine.coarsened(toSeparate: [digits, ByteSet(UInt8(ascii: "b"))])
        #expect(coarse.classes.count == 3)  // rest (with a), 0-9, b
        #expect(coarse.classes == ByteClasses(refining: [.all, digits, ByteSet(UInt8(ascii: "b"))]))
        for c in 0..<fine.count {
            #expect(coarse.classes.classOf[Int(fine.representatives[c])] == UInt8(coarse.coarseOf[c]))
        }
    }
}
