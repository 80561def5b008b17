import PropertyBased
import Testing
@testable import PortcullisRegex

@Suite("Grouped product: after a change only the groups it touches are built again, and the automata are a compile's from scratch")
struct GroupedProductTests {
    /// Rule k's patterns: an exact path, a prefix, a regex, or two exact paths (one rule, two patterns).
    static func rule(_ k: Int, _ tag: String = "") -> [String] {
        switch k % 4 {
        case 0: return ["^/opt/app\(k)\(tag)/bin/tool$"]
        case 1: return ["^/srv/app\(k)\(tag)/"]
        case 2: return ["^/usr/local/app\(k)\(tag)/(bin|sbin)/t[0-9]*$"]
        default: return ["^/var/app\(k)\(tag)/a$", "^/var/app\(k)\(tag)/b$"]
        }
    }

    /// The patterns of `rules`, rule k with id `id(k)` (k, as the compiler
    /// numbers rules, when every rule is an exec rule with a path).
    static func numbered(_ rules: [[String]], id: (Int) -> Int = { $0 }) -> [(id: Int, pattern: String)] {
        rules.enumerated().flatMap { k, patterns in patterns.map { (id: id(k), pattern: $0) } }
    }

    /// The automata of `rules` with `cache` are those of a compile without it, or its error.
    static func expectAsFromScratch(
        _ rules: [[String]], cache: PatternCache, stateLimit: Int = DFACompiler.defaultStateLimit,
        id: (Int) -> Int = { $0 }, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let patterns = numbered(rules, id: id)
        let cached = Result { try DFACompiler.compileAutomata(patterns, stateLimit: stateLimit, automatonLimit: 8, cache: cache) }
        let fresh = Result { try DFACompiler.compileAutomata(patterns, stateLimit: stateLimit, automatonLimit: 8) }
        switch (cached, fresh) {
        case (.success(let a), .success(let b)):
            let same = a == b  // (not the automata themselves in the message: thousands of states)
            #expect(same, "the automata differ from those of a compile from scratch", sourceLocation: sourceLocation)
        case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)", sourceLocation: sourceLocation)
        default: Issue.record("with the cache \(cached), from scratch \(fresh)", sourceLocation: sourceLocation)
        }
    }

    /// The distinct groups of `rules`.
    static func groupCount(_ rules: [[String]]) -> Int {
        Set(DFACompiler.groups(of: numbered(rules), stateLimit: DFACompiler.defaultStateLimit).map(\.key)).count
    }

    @Test func aOneRuleChangeBuildsOnlyItsGroupAgain() throws {
        var rules = (0..<600).map { Self.rule($0) }
        let cache = PatternCache()
        Self.expectAsFromScratch(rules, cache: cache)
        #expect(cache.groupCount == Self.groupCount(rules))
        #expect(cache.groupCount >= 5, "600 rules in \(cache.groupCount) groups")
        #expect(cache.groupsBuilt == cache.groupCount)
        let changes: [(String, (inout [[String]]) -> Void)] = [
            ("a rule added in the middle (the ids after it move)", { $0.insert(Self.rule(1002, "-new"), at: 300) }),
            ("a rule's pattern edited", { $0[100] = Self.rule(100, "-edited") }),
            ("a rule removed", { $0.remove(at: 450) }),
            ("a rule given a second pattern", { $0[201].append("^/srv/second/") }),
            ("a rule added at the end", { $0.append(Self.rule(1003)) }),
            ("the first rule removed", { $0.removeFirst() }),
        ]
        for (change, apply) in changes {
            apply(&rules)
            Self.expectAsFromScratch(rules, cache: cache)
            #expect(cache.groupsBuilt >= 1 && cache.groupsBuilt <= 2, "\(change): \(cache.groupsBuilt) groups built")
            #expect(cache.groupCount == Self.groupCount(rules), "\(change): only the groups in use are kept")
        }
        // The same set again: nothing is built.
        Self.expectAsFromScratch(rules, cache: cache)
        #expect(cache.groupsBuilt == 0)
    }

    @Test func aRuleThatEndsAGroupJoinsTwoGroupsWhenRemovedAndSplitsOneWhenAdded() throws {
        let rules = (0..<400).map { Self.rule($0) }
        let ends = try #require((1..<399).first { DFACompiler.endsGroup(ArraySlice(Self.numbered([rules[$0]]))) })
        let cache = PatternCache()
        Self.expectAsFromScratch(rules, cache: cache)
        var joined = rules
        joined.remove(at: ends)
        Self.expectAsFromScratch(joined, cache: cache)
        #expect(cache.groupsBuilt == 1)
        #expect(cache.groupCount == Self.groupCount(rules) - 1)
        Self.expectAsFromScratch(rules, cache: cache)
        #expect(cache.groupsBuilt == 2)
    }

    @Test func aGroupIsFoundByWhatItsRulesAre() throws {
        let fillers = (0..<100).map { Self.rule($0) }
        let cache = PatternCache()
        // Two patterns of one rule, then the same two as two rules: other accepts.
        let together = [["^/a/x$", "^/a/y$"]] + fillers
        let apart = [["^/a/x$"], ["^/a/y$"]] + fillers
        Self.expectAsFromScratch(together, cache: cache)
        Self.expectAsFromScratch(apart, cache: cache)
        let automata = try DFACompiler.compileAutomata(Self.numbered(apart), automatonLimit: 8, cache: cache)
        #expect(automata[0].matches("/a/y") == [1])
        // Every id moved by one: each rule's accepts follow it.
        let shifted = [["^/b$"]] + apart
        Self.expectAsFromScratch(shifted, cache: cache)
        #expect(cache.groupsBuilt <= 2)
        let moved = try DFACompiler.compileAutomata(Self.numbered(shifted), automatonLimit: 8, cache: cache)
        #expect(moved[0].matches("/a/y") == [2])
        #expect(moved[0].matches("/opt/app40/bin/tool") == [43])
    }

    @Test func idsWithGapsBetweenThemAreGivenToTheirRules() throws {
        // Rules of other kinds between the exec rules: their ids leave gaps, which move.
        let rules = (0..<300).map { Self.rule($0) }
        let cache = PatternCache()
        Self.expectAsFromScratch(rules, cache: cache)
        for gaps in [{ (k: Int) in 2 * k + 1 }, { k in 3 * k + (k % 7 == 0 ? 2 : 0) }, { k in k + (k > 150 ? 40 : 0) }] {
            Self.expectAsFromScratch(rules, cache: cache, id: gaps)
            #expect(cache.groupsBuilt == 0)
        }
    }

    @Test func underAnotherCapTheGroupsAreBuiltAgain() throws {
        let rules = [[AutomatonSplitTests.window("x", 5)], [AutomatonSplitTests.window("y", 5)]]
            + (0..<150).map { Self.rule($0) }
        let cache = PatternCache()
        Self.expectAsFromScratch(rules, cache: cache, stateLimit: 100_000)
        // Under a lower cap the same patterns split into several automata, or do not fit at all.
        Self.expectAsFromScratch(rules, cache: cache, stateLimit: 600)
        #expect(try DFACompiler.compileAutomata(Self.numbered(rules), stateLimit: 600, automatonLimit: 8, cache: cache).count > 1)
        Self.expectAsFromScratch(rules, cache: cache, stateLimit: 40)
        Self.expectAsFromScratch(rules, cache: cache, stateLimit: 100_000)
    }

    @Test func aChangeThatMovesRulesAcrossTheSplitBoundary() throws {
        // Windows over the cap together: several automata, each rule in one.
        var rules = (0..<120).map { Self.rule($0) }
        for (k, letter) in ["x", "y", "z", "w"].enumerated() { rules.insert([AutomatonSplitTests.window(letter, 5)], at: 30 * k) }
        let cache = PatternCache()
        let limit = 700
        Self.expectAsFromScratch(rules, cache: cache, stateLimit: limit)
        let before = try DFACompiler.compileAutomata(Self.numbered(rules), stateLimit: limit, automatonLimit: 8)
        #expect(before.count > 1)
        // A window more near the start: the rules after it move to later automata.
        rules.insert([AutomatonSplitTests.window("v", 5)], at: 5)
        Self.expectAsFromScratch(rules, cache: cache, stateLimit: limit)
        let after = try DFACompiler.compileAutomata(Self.numbered(rules), stateLimit: limit, automatonLimit: 8)
        #expect(after.count > before.count || after.map(\.stateCount) != before.map(\.stateCount))
        // And removed again: back to one automaton less.
        rules.remove(at: 5)
        Self.expectAsFromScratch(rules, cache: cache, stateLimit: limit)
        // Windows all removed: the rest fits in one automaton, found from the groups.
        rules.removeAll { $0[0].hasSuffix("}$") }
        Self.expectAsFromScratch(rules, cache: cache, stateLimit: limit)
    }

    @Test func aPatternThatDoesNotParseIsNamedAsWithoutTheCache() throws {
        var rules = (0..<200).map { Self.rule($0) }
        let cache = PatternCache()
        Self.expectAsFromScratch(rules, cache: cache)
        rules[120] = ["^/opt/(unclosed$"]
        Self.expectAsFromScratch(rules, cache: cache)
        rules[120] = Self.rule(120)
        Self.expectAsFromScratch(rules, cache: cache)
    }

    @Test func randomChangesGiveTheAutomataFromScratch() async throws {
        let fillers = (0..<150).map { Self.rule($0) }
        await propertyCheck(count: 40, input: PatternCacheTests.lists, PatternCacheTests.lists, Gen.int(in: 0...149)) {
            before, added, at in
            let cache = PatternCache()
            var rules = fillers
            rules.insert(contentsOf: PatternCacheTests.patterns(before).map { [$0] }, at: at)
            Self.expectAsFromScratch(rules, cache: cache, stateLimit: 3000)
            rules.remove(at: (at + 75) % rules.count)
            rules.insert(contentsOf: PatternCacheTests.patterns(added).map { [$0] }, at: (at * 7) % rules.count)
            Self.expectAsFromScratch(rules, cache: cache, stateLimit: 3000)
        }
    }

    @Test func theCacheKeepsOnlyTheGroupsInUse() throws {
        let base = (0..<300).map { Self.rule($0) }
        let cache = PatternCache()
        Self.expectAsFromScratch(base, cache: cache)
        let (count, bytes) = (cache.groupCount, cache.groupBytes)
        for round in 0..<30 {  // one rule more or less at each change, somewhere else each time
            var rules = base
            if round % 2 == 0 { rules.insert(Self.rule(5000 + round), at: round * 9) } else { rules.remove(at: round * 9) }
            _ = try DFACompiler.compileAutomata(Self.numbered(rules), automatonLimit: 8, cache: cache)
            #expect(cache.groupCount == Self.groupCount(rules))
            #expect(cache.groupCount <= count + 1)
            #expect(cache.groupBytes <= bytes + bytes / 4, "round \(round): \(cache.groupBytes) bytes, \(bytes) at first")
        }
    }
}
