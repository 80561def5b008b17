import PropertyBased
import Testing
@testable import PortcullisRegex

@Suite("Automaton split: patterns over the cap together go into several automata")
struct AutomatonSplitTests {
    /// "x, then exactly n bytes, at the end": 2^(n+1) states alone; two of them with
    /// different letters track both windows, about 3^(n+1) states together.
    static func window(_ letter: String, _ n: Int) -> String { "\(letter).{\(n)}$" }

    /// The ids matching `input` in any of `automata`, sorted.
    static func matches(_ automata: [DFA], _ input: [UInt8]) -> [Int] {
        Array(Set(automata.flatMap { $0.matches(input) })).sorted()
    }

    static func randomInput(_ rng: inout SplitMix, letters: [UInt8]) -> [UInt8] {
        (0..<Int(rng.next() % 12)).map { _ in letters[Int(rng.next() % UInt64(letters.count))] }
    }

    @Test func aSetOverTheCapSplitsAndMatchesAsOne() throws {
        let patterns = [
            (id: 0, pattern: Self.window("x", 5)), (id: 1, pattern: "^/usr/bin/"), (id: 2, pattern: Self.window("y", 5)),
            (id: 3, pattern: "^/opt/x$"), (id: 4, pattern: Self.window("z", 5)),
        ]
        let limit = 300
        #expect(throws: DFACompileError.self) { try DFACompiler.compile(patterns, stateLimit: limit) }
        let automata = try DFACompiler.compileAutomata(patterns, stateLimit: limit, automatonLimit: 4)
        #expect(automata.count == 3)
        #expect(automata.allSatisfy { $0.stateCount <= limit })
        // Whole rules in order: each id in exactly one automaton.
        let held = automata.map { Set($0.accepts.joined()) }
        #expect(held == [[0, 1], [2, 3], [4]])
        let one = try DFACompiler.compile(patterns, stateLimit: 1_000_000)
        var rng = SplitMix(seed: 7)
        let letters = Array("xyz/ubinopt".utf8)
        for _ in 0..<5_000 {
            let input = Self.randomInput(&rng, letters: letters)
            #expect(Self.matches(automata, input) == one.matches(input), "\(String(decoding: input, as: UTF8.self))")
        }
    }

    @Test func aSetThatFitsGivesTheOneDFA() throws {
        let patterns = [(id: 0, pattern: Self.window("x", 5)), (id: 1, pattern: "^/usr/bin/"), (id: 2, pattern: "^/a$")]
        let automata = try DFACompiler.compileAutomata(patterns, stateLimit: 1000, automatonLimit: 4)
        #expect(automata == [try DFACompiler.compile(patterns, stateLimit: 1000)])
    }

    @Test func aPatternOverTheCapOnItsOwnIsNamed() throws {
        let patterns = [(id: 0, pattern: "^/a$"), (id: 5, pattern: Self.window("x", 10)), (id: 6, pattern: "^/b$")]
        let error = #expect(throws: DFACompileError.self) {
            try DFACompiler.compileAutomata(patterns, stateLimit: 300, automatonLimit: 4)
        }
        #expect(error?.patternID == 5)
        #expect(error?.message.contains("on its own") == true)
    }

    @Test func moreAutomataThanTheLimitNameTheFirstRuleLeftOver() throws {
        let patterns = ["x", "y", "z", "w"].enumerated().map { (id: $0 * 10, pattern: Self.window($1, 5)) }
        let error = #expect(throws: DFACompileError.self) {
            try DFACompiler.compileAutomata(patterns, stateLimit: 100, automatonLimit: 3)
        }
        #expect(error?.patternID == 30)
        #expect(error?.message.contains("more than 3 automata") == true)
        #expect(try DFACompiler.compileAutomata(patterns, stateLimit: 100, automatonLimit: 4).count == 4)
    }

    @Test func companionsShareEveryAutomatonOfTheirRule() throws {
        let patterns = [
            (id: 0, pattern: Self.window("x", 5)), (id: 1, pattern: Self.window("y", 5)), (id: 2, pattern: "^/a/x.....$"),
        ]
        let automata = try DFACompiler.compileAutomata(
            patterns, stateLimit: 300, automatonLimit: 4, companions: [0: [2], 1: [2]])
        #expect(automata.count == 2)
        #expect(automata.allSatisfy { $0.accepts.contains { $0.contains(2) } })
    }

    /// Random sets (the differential generator's regexes and anchored literals)
    /// under small caps: when they split, every input matches the same ids as in
    /// the one DFA built without a cap, and the one name filter for all of them
    /// lets through the names that filter of the one DFA does.
    @Test func randomSplitsMatchTheOneDFA() async throws {
        await propertyCheck(count: 200, input: SimultaneousProductTests.lists, Gen.int(in: 0...2)) { lists, capChoice in
            let patterns = SimultaneousProductTests.patternSet(lists, idRange: 1_000_000).enumerated()
                .map { (id: $0, pattern: $1.pattern) }
            let limit = [20, 60, 200][capChoice]
            guard let automata = try? DFACompiler.compileAutomata(patterns, stateLimit: limit, automatonLimit: 8),
                let one = try? DFACompiler.compile(patterns, stateLimit: 1_000_000)
            else { return }
            #expect(automata.allSatisfy { $0.stateCount <= limit })
            let letters = alphabet.map { UInt8(ascii: $0.unicodeScalars.first!) }
            var rng = SplitMix(seed: UInt64(lists.count * 31 + capChoice))
            let filter = DFA.lastComponentFilter(of: automata)
            let oneFilter = one.lastComponentFilter()
            for _ in 0..<300 {
                let input = Self.randomInput(&rng, letters: letters)
                #expect(Self.matches(automata, input) == one.matches(input), "\(patterns) at \(input)")
                let name = input.filter { $0 != UInt8(ascii: "/") }
                if let filter, let oneFilter {
                    #expect(filter.matches(name).isEmpty == oneFilter.matches(name).isEmpty, "\(patterns) name \(name)")
                }
                // A name ending an accepted path always passes.
                if let filter, !Self.matches(automata, input).isEmpty, let slash = input.lastIndex(of: UInt8(ascii: "/")) {
                    #expect(!filter.matches(input[(slash + 1)...]).isEmpty, "\(patterns) path \(input)")
                }
            }
        }
    }
}
