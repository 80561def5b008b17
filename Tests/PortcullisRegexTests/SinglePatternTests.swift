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
                let single = DFACompiler.single(parsed, id: 3, classes: classes, stateLimit: limit)
                #expect(single == reference, "\(node.posix) with \(extra) other patterns, cap \(limit)")
            }
        }
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
