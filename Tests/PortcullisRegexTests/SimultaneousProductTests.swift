import PropertyBased
import Testing
@testable import PortcullisRegex

@Suite("Simultaneous product: the same DFAs and errors as the balanced tree")
struct SimultaneousProductTests {
    /// 2–8 random patterns: regexes from the differential generator and
    /// anchored literals, with ids drawn from a small range so that some
    /// patterns share an id (one rule with several paths).
    static func patternSet(_ lists: [[Int]], idRange: Int) -> [(id: Int, pattern: String)] {
        lists.enumerated().map { k, values in
            var chooser = Chooser(values)
            let id = (values.first ?? k) % idRange
            let pattern = chooser.pick(3) == 0 ? LiteralChainTests.chainPattern(values) : genPattern(&chooser).posix
            return (id: id, pattern: pattern)
        }
    }

    static let lists = Gen.int(in: 0...9999).array(of: 0...25).array(of: 2...8)

    @Test func distinctIDsGiveTheTreesDFAAndErrors() async throws {
        await propertyCheck(count: 300, input: Self.lists, Gen.int(in: 0...3)) { lists, capChoice in
            let patterns = Self.patternSet(lists, idRange: 1_000_000).enumerated().map { (id: $0 * 3 + 1, pattern: $1.pattern) }
            let limit = [10, 40, 200, 3000][capChoice]
            let expected = referenceOutcome(patterns, stateLimit: limit)
            let actual = compileOutcome(patterns, stateLimit: limit)
            #expect(actual == expected, "\(patterns) under a cap of \(limit)")
            if case .success(let dfa) = actual {
                #expect(naiveMinimalStateCount(dfa) == dfa.stateCount)
                #expect(checkInvariants(dfa) == [])
            }
        }
    }

    @Test func sharedIDsGiveTheTreesDFA() async throws {
        await propertyCheck(count: 300, input: Self.lists, Gen.int(in: 0...3)) { lists, capChoice in
            let patterns = Self.patternSet(lists, idRange: 3)
            let limit = [10, 40, 200, 3000][capChoice]
            let expected = referenceOutcome(patterns, stateLimit: limit)
            let actual = compileOutcome(patterns, stateLimit: limit)
            switch (expected, actual) {
            case (.success, _), (.failure(.single), _):
                #expect(actual == expected, "\(patterns) under a cap of \(limit)")
            case (.failure(.combined), .success(let dfa)):
                // Combining a rule's patterns first may fit where the tree did not;
                // the DFA must then be the one the tree gives without a cap.
                #expect(dfa == (try? ReferencePipeline.compile(patterns, stateLimit: 1_000_000)))
            case (.failure(.combined), .failure):
                #expect(actual == expected, "\(patterns) under a cap of \(limit)")
            }
        }
    }

    @Test func productOfMinimalComponentsWithDistinctIDsIsMinimal() async throws {
        await propertyCheck(count: 200, input: Self.lists) { lists in
            let patterns = Self.patternSet(lists, idRange: 1_000_000).enumerated().map { (id: $0, pattern: $1.pattern) }
            let nodes = patterns.map { try! RegexPattern.parse($0.pattern) }
            var sets: Set<ByteSet> = [.all]
            for node in nodes { node.collectByteSets(into: &sets) }
            let classes = ByteClasses(refining: sets)
            var parts: [DFA] = []
            for (p, node) in zip(patterns, nodes) {
                guard let single = try? SubsetConstruction.build(
                    NFA(searching: node), id: p.id, classes: classes, stateLimit: 2000)
                else { return }
                parts.append(single.minimized())
            }
            guard let product = try? SimultaneousProduct.build(parts, stateLimit: 20_000) else { return }
            #expect(naiveMinimalStateCount(product) == product.stateCount, "\(patterns)")
            #expect(product.renumbered() == product.minimized(), "\(patterns)")
            for input in ["", "a", "/a", "ab/", "abc", "b1", "a-a.c", "A a]"] {
                let expected = parts.flatMap { $0.matches(input) }.sorted()
                #expect(product.matches(input) == expected, "\(patterns) on \"\(input)\"")
            }
        }
    }

    @Test func idleStates() throws {
        // Anchored: the component can die, so it idles dead.
        #expect(try compileOne("^abc").idleState == DFA.dead)
        // Unanchored: it never dies; it idles where nothing of "abc" is seen yet.
        let unanchored = try compileOne("abc")
        #expect(unanchored.idleState == unanchored.start)
        // Every state accepts: nothing to idle in but dead.
        #expect(try compileOne("x*").idleState == DFA.dead)
        // The empty language: the start is dead.
        #expect(try compileOne("a^b").idleState == DFA.dead)
    }

    @Test func unanchoredComponentsJoinFromIdle() throws {
        // Two unanchored patterns and an anchored one, all in one product.
        let patterns: [(id: Int, pattern: String)] = [(1, "ab"), (2, "b+c"), (3, "^/x$")]
        let dfa = try DFACompiler.compile(patterns)
        #expect(dfa == (try ReferencePipeline.compile(patterns, stateLimit: 65_536)))
        #expect(dfa.matches("xxabxx") == [1])
        #expect(dfa.matches("abbbc") == [1, 2])
        #expect(dfa.matches("/x") == [3])
        #expect(dfa.matches("/xab") == [1])
    }
}
