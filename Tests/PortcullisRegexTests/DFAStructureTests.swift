import Testing
@testable import PortcullisRegex

@Suite("DFA structure: minimality, classes, determinism")
struct DFAStructureTests {
    @Test func anchoredLiteralHasStartThreeAndDead() throws {
        // dead, start, "a", "ab", "abc" (accepting; any further byte → dead).
        let dfa = try compileOne("^abc$")
        #expect(dfa.stateCount == 5)
        #expect(dfa.classCount == 4)  // a, b, c, everything else
        #expect(dfa.start == 1)
        #expect(dfa.accepts == [[], [], [], [], [0]])
        let other = Int(dfa.byteClass[Int(UInt8(ascii: "x"))])
        #expect(dfa.byteClass[0] == dfa.byteClass[Int(UInt8(ascii: "x"))])
        for s in 1..<5 { #expect(dfa.transitions[s * dfa.classCount + other] == DFA.dead) }
    }

    @Test func exactStateCounts() throws {
        // pattern, states, byte classes
        let expected: [(String, Int, Int)] = [
            ("abc", 5, 4),  // dead (unreachable, still state 0), seen "", "a", "ab", matched
            ("^abc", 5, 4),
            ("a|a", 3, 2),
            ("a", 3, 2),
            ("a+", 3, 2),
            ("(a*)*", 2, 1),  // matches everything: dead + one accepting state
            ("", 2, 1),
            ("x*", 2, 1),
            ("x$", 3, 2),  // dead, "last byte not x", "last byte x"
            ("^a{3}$", 5, 2),
            ("^a{0,3}$", 5, 2),
            ("^(a{7})*$", 8, 2),  // residues mod 7 + dead
            ("a^b", 1, 1),  // unsatisfiable: the start state is the dead state
            // "the 4th byte from the end is a": the last 4 bytes matter, 2^4 + dead.
            ("(a|b)*a(a|b){3}$", 17, 3),
            // Unanchored it is "some a is followed by 3 of a|b": dead, no a, a+0..2, matched.
            ("(a|b)*a(a|b){3}", 6, 3),
        ]
        for (pattern, count, classes) in expected {
            let dfa = try compileOne(pattern)
            #expect(dfa.stateCount == count, "'\(pattern)' has \(dfa.stateCount) states")
            #expect(dfa.classCount == classes, "'\(pattern)' has \(dfa.classCount) classes")
            #expect(naiveMinimalStateCount(dfa) == dfa.stateCount, "'\(pattern)' is not minimal")
            #expect(checkInvariants(dfa) == [], "'\(pattern)'")
        }
    }

    @Test func equivalentPatternsCompileToIdenticalDFAs() throws {
        // The result is canonical: equal languages give equal tables.
        let groups: [[String]] = [
            ["a", "a|a", "(a)", "(?:a)+", "a+", "a{1,5}"],
            ["(a*)*", "", "a*", "(a|)*", "x*"],
            ["^abc$", "^(abc)$", "^a(b)c$", "^(a|a)bc$"],
            ["[abc]", "a|b|c", "[a-c]", "(a|b)|c", "[ab]|[bc]"],
            ["^a{2,3}$", "^aaa?$", "^(aa|aaa)$"],
            ["x.*y", "x.*.*y", "x(.*)y"],
        ]
        for group in groups {
            let reference = try compileOne(group[0])
            for p in group.dropFirst() {
                #expect(try compileOne(p) == reference, "'\(p)' vs '\(group[0])'")
            }
        }
    }

    @Test func byteClassesAreCoarsest() throws {
        let dfa = try compileOne("^[a-z]+[0-9]/")
        // [a-z], [0-9], '/', everything else.
        #expect(dfa.classCount == 4)
        #expect(Set("abcxyz".utf8.map { dfa.byteClass[Int($0)] }).count == 1)
        #expect(Set("0189".utf8.map { dfa.byteClass[Int($0)] }).count == 1)
        // Classes used by different patterns are refined against each other.
        let multi = try DFACompiler.compile([(id: 0, pattern: "[a-m]"), (id: 1, pattern: "[h-z]")])
        #expect(multi.classCount == 4)  // a-g, h-m, n-z, rest
    }

    @Test func deterministicAndOrderIndependent() throws {
        let patterns: [(id: Int, pattern: String)] = [
            (1, "^/usr/(s?bin|lib)/"), (2, #"\.(so|ko)(\.[0-9]+)*$"#), (3, "^/proc/[0-9]+/mem$"),
            (4, "/\\.ssh/"), (5, "^/tmp/.{1,8}$"),
        ]
        let a = try DFACompiler.compile(patterns)
        let b = try DFACompiler.compile(patterns)
        #expect(a == b)
        let c = try DFACompiler.compile(patterns.reversed())
        #expect(a == c)
        #expect(naiveMinimalStateCount(a) == a.stateCount)
        #expect(checkInvariants(a) == [])
    }

    @Test func bfsNumberingFromStart() throws {
        let dfa = try compileOne("^ab|^ac")
        // 0 dead, 1 start, 2 after "a", 3 matched.
        #expect(dfa.stateCount == 4)
        #expect(dfa.start == 1)
        let a = Int(dfa.byteClass[Int(UInt8(ascii: "a"))])
        #expect(dfa.transitions[1 * dfa.classCount + a] == 2)
    }
}

@Suite("State cap")
struct StateCapTests {
    @Test func classicBlowUpNamesThePattern() throws {
        do {
            _ = try DFACompiler.compile(
                [(id: 1, pattern: "^/etc/"), (id: 42, pattern: "(a|b)*a(a|b){20}$")])
            Issue.record("expected DFACompileError")
        } catch let error as DFACompileError {
            #expect(error.patternID == 42)
            #expect(error.pattern == "(a|b)*a(a|b){20}$")
            #expect(error.stateLimit == 65_536)
            #expect(error.message.contains("#42"))
            #expect(error.message.contains("(a|b)*a(a|b){20}$"))
            #expect(error.message.contains("65536"))
            #expect(error.message.contains("on its own"))
            #expect(error.message.contains("bounded repetitions"))
            #expect(error.description == error.message)
        }
    }

    @Test func smallCapStopsEarly() throws {
        #expect(throws: DFACompileError.self) {
            try compileOne("(a|b)*a(a|b){6}$", stateLimit: 100)
        }
        // 2^7 + dead = 129 states fit under a cap of 129, not 128.
        #expect(try compileOne("(a|b)*a(a|b){6}$", stateLimit: 129).stateCount == 129)
        #expect(throws: DFACompileError.self) {
            try compileOne("(a|b)*a(a|b){6}$", stateLimit: 128)
        }
    }

    @Test func capAppliesBeforeMinimization() throws {
        // Unanchored, the minimal DFA is small (dead, no a, a+0..9, matched = 13),
        // but subset construction first tracks every a in the window (2^11 sets):
        // the cap is checked there, so the cheap early stop can reject a pattern
        // whose minimal DFA would fit.
        #expect(try compileOne("(a|b)*a(a|b){10}").stateCount == 13)
        #expect(throws: DFACompileError.self) {
            try compileOne("(a|b)*a(a|b){10}", stateLimit: 1000)
        }
    }

    @Test func productBlowUpBlamesTheAddedPattern() throws {
        // Counters mod 7, 11 and 13: alone 8, 12 and 14 states; together 7*11*13 + dead.
        let patterns: [(id: Int, pattern: String)] = [
            (7, "^(a{7})*$"), (11, "^(a{11})*$"), (13, "^(a{13})*$"),
        ]
        let all = try DFACompiler.compile(patterns, stateLimit: 2000)
        #expect(all.stateCount == 1002)
        #expect(all.classCount == 2)
        #expect(all.matches(String(repeating: "a", count: 77)) == [7, 11])
        #expect(all.matches(String(repeating: "a", count: 1001)) == [7, 11, 13])
        #expect(all.matches("") == [7, 11, 13])
        do {
            _ = try DFACompiler.compile(patterns, stateLimit: 500)
            Issue.record("expected DFACompileError")
        } catch let error as DFACompileError {
            #expect(error.patternID == 13)
            #expect(error.stateLimit == 500)
            #expect(error.message.contains("combined DFA"))
            #expect(error.message.contains("the 2 patterns before it fit"))
        }
        // The culprit is named even when patterns follow it (the balanced merge
        // overflows first, then patterns are added one by one to find it).
        do {
            _ = try DFACompiler.compile(patterns + [(id: 2, pattern: "^(a{2})*$"), (id: 3, pattern: "b")], stateLimit: 500)
            Issue.record("expected DFACompileError")
        } catch let error as DFACompileError {
            #expect(error.patternID == 13)
        }
    }
}
