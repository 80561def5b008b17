import Testing
@testable import PortcullisRegex

@Suite("Matching semantics")
struct MatchingTests {
    /// pattern, inputs that match, inputs that don't.
    static let cases: [(String, [String], [String])] = [
        // Search semantics: unanchored patterns match anywhere.
        ("passwd", ["passwd", "/etc/passwd", "passwd.bak"], ["", "passw", "/etc/shadow"]),
        ("", ["", "anything"], []),
        // Anchors.
        ("^/etc/", ["/etc/", "/etc/passwd"], ["", "/etc", "/x/etc/passwd"]),
        (#"\.so$"#, ["libc.so", ".so"], ["libc.so.6", "libcxso"]),
        ("^abc$", ["abc"], ["", "ab", "abcd", "xabc"]),
        ("^$", [""], ["a", " "]),
        ("(^|/)bin/", ["bin/sh", "/usr/bin/sh"], ["sbin/sh", "/usr/sbin/x"]),
        ("^a|b$", ["a", "ax", "b", "xb"], ["xa", "bx", ""]),
        ("(a|^)b", ["b", "ab", "xab"], ["xb", "a"]),
        ("a(b|$)", ["ab", "a", "xa", "xabx"], ["ax", "b"]),
        ("a*^b", ["b", "bx"], ["ab", "xb"]),
        // Anchors where they cannot hold never match.
        ("a^b", [], ["ab", "a^b", "", "b"]),
        ("a$b", [], ["ab", "a$b", ""]),
        ("$^", [""], ["a"]),
        ("(^)*x", ["x", "ax"], [""]),
        // Dot, classes, escapes.
        ("^.$", ["a", "/", " "], ["", "ab"]),
        ("^[[:digit:]]+$", ["0", "123"], ["", "12a"]),
        (#"^\d\w\s$"#, ["1a ", "9_\t"], ["a1 ", "11x"]),
        (#"^\D\W\S$"#, ["a-x", "x.."], ["1-x", "aax", "a- "]),
        ("^[^/]+$", ["abc", "a.b"], ["/", "a/b", ""]),
        ("^[a-c-]+$", ["a-c", "-"], ["d", "a_c"]),
        ("^[[:alpha:][:digit:]_]+$", ["ab_12"], ["a-b"]),
        ("^[[:upper:]][[:lower:]]$", ["Ab"], ["aB", "AB"]),
        ("^[[:punct:]]$", ["!", "/", "~", "_"], ["a", " "]),
        ("^[[:xdigit:]]+$", ["09afAF"], ["g"]),
        ("^[[:space:]]$", [" ", "\t", "\n", "\r"], ["a"]),
        (#"^\/tmp\/[^/]*\.sh$"#, ["/tmp/x.sh", "/tmp/.sh"], ["/tmp/a/x.sh", "/tmp/x.shx"]),
        // Repetition.
        ("^a{2,3}$", ["aa", "aaa"], ["a", "aaaa", ""]),
        ("^a{0}$", [""], ["a"]),
        ("^a{2}$", ["aa"], ["a", "aaa"]),
        ("^a{2,}$", ["aa", "aaaaaaa"], ["a"]),
        ("^(ab){2}$", ["abab"], ["ab", "ababab", "aabb"]),
        ("^(a|b){3,}$", ["aba", "bbbb"], ["ab", "abc"]),
        ("^x(ab)*y$", ["xy", "xaby", "xababy"], ["xay", "xabay"]),
        ("^a+b?$", ["a", "aab"], ["b", "abb"]),
        ("^(a*)*$", ["", "aaa"], ["b"]),
        ("^(a?){3}$", ["", "a", "aaa"], ["aaaa"]),
        // Alternation.
        ("^(cat|dog)s?$", ["cat", "dogs"], ["cats!", "bird", "catdog"]),
        ("^(|a)b$", ["b", "ab"], ["aab"]),
        ("x|y|z", ["x", "..y"], ["w"]),
        // UTF-8: literals are byte sequences, '.' is one byte.
        ("^é+$", ["é", "éé"], ["e", "", "éa"]),
        ("^.$", ["a"], ["é"]),
        ("^..$", ["é", "ab"], ["a"]),
        ("^[^a]+$", ["é", "日本"], ["a"]),
        ("日本", ["/srv/日本/x"], ["日", "本日"]),
    ]

    @Test(arguments: cases)
    func semantics(_ pattern: String, _ yes: [String], _ no: [String]) throws {
        let dfa = try compileOne(pattern)
        for s in yes { #expect(dfa.matches(s) == [0], "'\(pattern)' should match '\(s)'") }
        for s in no { #expect(dfa.matches(s) == [], "'\(pattern)' should not match '\(s)'") }
        #expect(checkInvariants(dfa) == [])
    }

    @Test func dotAndNegationNeverMatchNUL() throws {
        for pattern in ["^.$", "^[^a]$", #"^\D$"#, #"^\S$"#, #"^\W$"#] {
            let dfa = try compileOne(pattern)
            #expect(dfa.matches([0]) == [], "\(pattern)")
            #expect(dfa.matches([0x7F]) == [0], "\(pattern)")
        }
        // The implicit search prefix/suffix accepts any byte, NUL included.
        #expect(try compileOne("a").matches([0, 97, 0]) == [0])
    }

    @Test func runStopsAtDeadAndReportsFinalState() throws {
        let dfa = try compileOne("^ab")
        #expect(dfa.run(Array("x".utf8)) == DFA.dead)
        #expect(dfa.run(Array("xab".utf8)) == DFA.dead)
        #expect(dfa.run([UInt8]()) == dfa.start)
        let accepting = dfa.run(Array("ab".utf8))
        #expect(dfa.accepts[Int(accepting)] == [0])
        #expect(dfa.run(Array("abzzz".utf8)) == accepting)  // absorbing once matched
    }

    @Test func multiPatternAcceptSets() throws {
        let dfa = try DFACompiler.compile([
            (id: 10, pattern: "^/etc/"),
            (id: 20, pattern: "passwd$"),
            (id: 30, pattern: "shadow"),
            (id: 5, pattern: "^/etc/(passwd|shadow)$"),
        ])
        #expect(dfa.matches("/etc/passwd") == [5, 10, 20])
        #expect(dfa.matches("/etc/shadow") == [5, 10, 30])
        #expect(dfa.matches("/etc/shadow-") == [10, 30])
        #expect(dfa.matches("/home/x/passwd") == [20])
        #expect(dfa.matches("/home/shadow/passwd") == [20, 30])
        #expect(dfa.matches("/tmp") == [])
        #expect(dfa.matches("") == [])
        #expect(checkInvariants(dfa) == [])
    }

    @Test func duplicateIDsAreMerged() throws {
        let dfa = try DFACompiler.compile([(id: 3, pattern: "a"), (id: 3, pattern: "b")])
        #expect(dfa.matches("a") == [3])
        #expect(dfa.matches("ab") == [3])
        #expect(dfa.matches("c") == [])
    }

    @Test func noPatterns() throws {
        let dfa = try DFACompiler.compile([])
        #expect(dfa.stateCount == 1)
        #expect(dfa.start == DFA.dead)
        #expect(dfa.matches("x") == [])
        #expect(checkInvariants(dfa) == [])
    }
}
