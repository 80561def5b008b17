import PropertyBased
import Testing
@testable import PortcullisRegex

@Suite("Pattern cache: a compile after a change gives the DFA of a compile from scratch")
struct PatternCacheTests {
    /// Patterns of every source: literal paths read off their text, chains
    /// only the parser sees, regexes (kept by the cache).
    static func patterns(_ lists: [[Int]]) -> [String] {
        lists.map { values in
            var chooser = Chooser(values)
            switch chooser.pick(3) {
            case 0: return "^/" + RegexPattern.escape(String(values.map { alphabet[$0 % alphabet.count] }))
                + (values.count % 2 == 0 ? "$" : "")
            case 1: return LiteralChainTests.chainPattern(values)
            default: return genPattern(&chooser).posix
            }
        }
    }

    static let lists = Gen.int(in: 0...9999).array(of: 0...20).array(of: 1...8)

    @Test func aChangedSetCompiledWithTheCacheIsCompiledAsFromScratch() async throws {
        await propertyCheck(count: 300, input: Self.lists, Self.lists, Gen.int(in: 0...7)) { before, added, drop in
            let first = Self.patterns(before)
            // The next set: some patterns gone, others new, the ids moved (a rule added in an earlier file).
            var next = first.enumerated().filter { $0.offset % 8 != drop }.map(\.element)
            next.insert(contentsOf: Self.patterns(added), at: next.count / 2)
            let cache = PatternCache()
            let limit = 2000
            _ = try? DFACompiler.compile(first.enumerated().map { (id: $0, pattern: $1) }, stateLimit: limit, cache: cache)
            let numbered = next.enumerated().map { (id: $0 + 5, pattern: $1) }
            let cached = Result { try DFACompiler.compile(numbered, stateLimit: limit, cache: cache) }
            let fresh = Result { try DFACompiler.compile(numbered, stateLimit: limit) }
            switch (cached, fresh) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(numbered)")
            case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)", "\(numbered)")
            default: Issue.record("\(numbered): with the cache \(cached), from scratch \(fresh)")
            }
            // Under another cap, what the cache holds is built again.
            let capped = Result { try DFACompiler.compile(numbered, stateLimit: 30, cache: cache) }
            let cappedFresh = Result { try DFACompiler.compile(numbered, stateLimit: 30) }
            #expect("\(capped)" == "\(cappedFresh)", "\(numbered) under a cap of 30")
        }
    }

    @Test func theTableStaysWithinTwiceWhatIsInUse() throws {
        let cache = PatternCache()
        let base = (0..<20).map { (id: $0, pattern: "^/opt/app\($0)/(bin|sbin)/t[0-9]*$") }
        _ = try DFACompiler.compile(base, cache: cache)
        let inUse = cache.tableBytes
        for round in 0..<60 {  // one regex more at each change, and the one before gone
            _ = try DFACompiler.compile(base + [(id: 20, pattern: "^/srv/r\(round)/[a-z]+$")], cache: cache)
            #expect(cache.count == 21)
            #expect(cache.tableBytes <= 3 * inUse, "round \(round): \(cache.tableBytes) bytes, \(inUse) in use at first")
        }
        let scratch = try DFACompiler.compile(base + [(id: 20, pattern: "^/srv/r59/[a-z]+$")])
        #expect(try DFACompiler.compile(base + [(id: 20, pattern: "^/srv/r59/[a-z]+$")], cache: cache) == scratch)
    }

    @Test func automataOfMoreThan256StatesAreKeptWithWiderStateNumbers() throws {
        // (a|b)*a(a|b){8}: the ninth letter from the end is an a, which takes
        // 2^9 states to remember; the cache keeps its states in two bytes each.
        let patterns = [(id: 0, pattern: "^/x/(a|b)*a(a|b){8}$"), (id: 1, pattern: "^/y/[0-9]+$")]
        let cache = PatternCache()
        let limit = 5000
        let first = try DFACompiler.compile(patterns, stateLimit: limit, cache: cache)
        #expect(first == (try DFACompiler.compile(patterns, stateLimit: limit)))
        let kept = try #require(cache.own(patterns[0].pattern))
        #expect(kept.dfa.stateCount > 256)
        #expect(cache.tableBytes < 4 * kept.dfa.transitions.count)  // not a word per state number
        // Reused under other ids, beside a new pattern: the automaton of a compile from scratch.
        let moved = patterns.map { (id: $0.id + 3, pattern: $0.pattern) } + [(id: 0, pattern: "^/z/q*$")]
        let reused = try DFACompiler.compile(moved, stateLimit: limit, cache: cache)
        #expect(reused == (try DFACompiler.compile(moved, stateLimit: limit)))
    }

    @Test func theCacheKeepsTheRegexesOfTheLastCompile() throws {
        let cache = PatternCache()
        _ = try DFACompiler.compile(
            [(id: 0, pattern: "^/usr/bin/a$"), (id: 1, pattern: "^/opt/(a|b)+$"), (id: 2, pattern: "x[0-9]*")], cache: cache)
        #expect(cache.count == 2)  // the literal path is built directly
        let reused = try DFACompiler.compile([(id: 4, pattern: "x[0-9]*"), (id: 0, pattern: "^/srv/")], cache: cache)
        #expect(cache.count == 1)
        #expect(reused == (try DFACompiler.compile([(id: 4, pattern: "x[0-9]*"), (id: 0, pattern: "^/srv/")])))
    }
}
