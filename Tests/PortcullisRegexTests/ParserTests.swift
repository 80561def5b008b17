import Testing
@testable import PortcullisRegex

private func byte(_ c: Character) -> RegexNode { .byteSet(ByteSet(c.asciiValue!)) }
private func set(_ s: String) -> ByteSet { ByteSet(Array(s.utf8)) }

@Suite("Parser: accepted syntax")
struct ParserAcceptTests {
    @Test func emptyPattern() throws {
        #expect(try RegexPattern.parse("") == .empty)
    }

    @Test func literals() throws {
        #expect(try RegexPattern.parse("abc") == .concatenation([byte("a"), byte("b"), byte("c")]))
        #expect(try RegexPattern.parse("a") == byte("a"))
        // Bare ] and } are ordinary characters.
        #expect(try RegexPattern.parse("]}") == .concatenation([byte("]"), byte("}")]))
    }

    @Test func escapedPunctuation() throws {
        #expect(try RegexPattern.parse(#"\.\\\/\-\*\{\["#) == .concatenation(
            [".", "\\", "/", "-", "*", "{", "["].map { byte($0) }))
    }

    @Test func escapeClasses() throws {
        #expect(try RegexPattern.parse(#"\d"#) == .byteSet(.digit))
        #expect(try RegexPattern.parse(#"\w"#) == .byteSet(.word))
        #expect(try RegexPattern.parse(#"\s"#) == .byteSet(set(" \t\n\u{0B}\u{0C}\r")))
        #expect(try RegexPattern.parse(#"\D"#) == .byteSet(ByteSet.digit.negated))
        #expect(try RegexPattern.parse(#"\t\n"#) == .concatenation([.byteSet(ByteSet(9)), .byteSet(ByteSet(10))]))
        let notDigit = ByteSet.digit.negated
        #expect(!notDigit.contains(0) && !notDigit.contains(UInt8(ascii: "5")) && notDigit.contains(0xFF))
    }

    @Test func dotIsEveryByteButNUL() throws {
        guard case .byteSet(let s) = try RegexPattern.parse(".") else {
            Issue.record("not a byte set")
            return
        }
        #expect(s.count == 255)
        #expect(!s.contains(0))
    }

    @Test func alternationAndGroups() throws {
        #expect(try RegexPattern.parse("a|bc") == .alternation([byte("a"), .concatenation([byte("b"), byte("c")])]))
        #expect(try RegexPattern.parse("(a)") == .group(byte("a")))
        #expect(try RegexPattern.parse("(?:a|)") == .group(.alternation([byte("a"), .empty])))
        #expect(try RegexPattern.parse("()") == .group(.empty))
    }

    @Test func quantifiers() throws {
        #expect(try RegexPattern.parse("a*") == .repetition(byte("a"), min: 0, max: nil))
        #expect(try RegexPattern.parse("a+") == .repetition(byte("a"), min: 1, max: nil))
        #expect(try RegexPattern.parse("a?") == .repetition(byte("a"), min: 0, max: 1))
        #expect(try RegexPattern.parse("a{3}") == .repetition(byte("a"), min: 3, max: 3))
        #expect(try RegexPattern.parse("a{3,}") == .repetition(byte("a"), min: 3, max: nil))
        #expect(try RegexPattern.parse("a{0,1000}") == .repetition(byte("a"), min: 0, max: 1000))
        #expect(try RegexPattern.parse("(ab)*") == .repetition(.group(.concatenation([byte("a"), byte("b")])), min: 0, max: nil))
        // The quantifier binds to the last atom only.
        #expect(try RegexPattern.parse("ab+") == .concatenation([byte("a"), .repetition(byte("b"), min: 1, max: nil)]))
    }

    @Test func anchors() throws {
        #expect(try RegexPattern.parse("^a$") == .concatenation([.startAnchor, byte("a"), .endAnchor]))
        #expect(try RegexPattern.parse("(^|/)x") == .concatenation([.group(.alternation([.startAnchor, byte("/")])), byte("x")]))
    }

    @Test func brackets() throws {
        #expect(try RegexPattern.parse("[abc]") == .byteSet(set("abc")))
        #expect(try RegexPattern.parse("[a-d]") == .byteSet(set("abcd")))
        #expect(try RegexPattern.parse("[]a]") == .byteSet(set("]a")))
        #expect(try RegexPattern.parse("[a-]") == .byteSet(set("a-")))
        #expect(try RegexPattern.parse("[-a]") == .byteSet(set("-a")))
        #expect(try RegexPattern.parse(#"[\]\-\\]"#) == .byteSet(set("]-\\")))
        #expect(try RegexPattern.parse("[.*+?(]") == .byteSet(set(".*+?(")))
        #expect(try RegexPattern.parse("[[:digit:]x]") == .byteSet(ByteSet.digit.union(set("x"))))
        #expect(try RegexPattern.parse(#"[\d_]"#) == .byteSet(ByteSet.digit.union(set("_"))))
        #expect(try RegexPattern.parse(#"[\t]"#) == .byteSet(ByteSet(9)))
        // Negation is over bytes 1...255 (NUL never matches).
        #expect(try RegexPattern.parse("[^a]") == .byteSet(set("a").negated))
        #expect(try RegexPattern.parse("[^]a]") == .byteSet(set("]a").negated))
    }

    @Test func posixClasses() throws {
        let expected: [(String, ByteSet)] = [
            ("alpha", set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")),
            ("digit", set("0123456789")),
            ("alnum", set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")),
            ("space", set(" \t\n\u{0B}\u{0C}\r")),
            ("upper", set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
            ("lower", set("abcdefghijklmnopqrstuvwxyz")),
            ("punct", set(##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##)),
            ("xdigit", set("0123456789abcdefABCDEF")),
        ]
        for (name, bytes) in expected {
            #expect(try RegexPattern.parse("[[:\(name):]]") == .byteSet(bytes), "[:\(name):]")
        }
    }

    @Test func descriptionRendersAPattern() throws {
        #expect(try RegexPattern.parse("^a[b-d]*(x|y){2,3}$").description == "^a[b-d]*(x|y){2,3}$")
        #expect(try RegexPattern.parse(#"\.(?:so|ko)+"#).description == #"\.(so|ko)+"#)
        #expect(try RegexPattern.parse("[ca-b]{2,}.?").description == "[a-c]{2,}.?")
        // The rendering parses back to the same tree.
        for p in ["a|bc*", "(ab)+c?", "^[[:digit:]]{3}$", #"/tmp/[a-z_]+\.sh"#, "x{0,1000}"] {
            let node = try RegexPattern.parse(p)
            #expect(try RegexPattern.parse(node.description) == node, "\(p) → \(node)")
        }
    }

    @Test func nonASCIILiteralIsItsUTF8Bytes() throws {
        // "é" is U+00E9, UTF-8 C3 A9; a quantifier repeats the whole character.
        let e: RegexNode = .group(.concatenation([.byteSet(ByteSet(0xC3)), .byteSet(ByteSet(0xA9))]))
        #expect(try RegexPattern.parse("é") == e)
        #expect(try RegexPattern.parse("é+") == .repetition(e, min: 1, max: nil))
    }
}

@Suite("Parser: rejected syntax")
struct ParserRejectTests {
    /// pattern, expected offset, a fragment of the expected message.
    static let cases: [(String, Int, String)] = [
        ("a)", 1, "unmatched ')'"),
        ("(a))b", 3, "unmatched ')'"),
        ("(ab", 0, "missing ')'"),
        ("a(b(c)", 1, "missing ')'"),
        ("[abc", 0, "missing ']'"),
        ("x[a-", 1, "missing ']'"),
        ("[]", 0, "missing ']'"),
        ("*a", 0, "nothing to repeat"),
        ("a|*b", 2, "nothing to repeat"),
        ("(+a)", 1, "nothing to repeat"),
        ("{2}", 0, "nothing to repeat"),
        ("a**", 2, "follows another quantifier"),
        ("a{2}{3}", 4, "follows another quantifier"),
        ("a*?", 2, "lazy quantifiers"),
        ("a+?", 2, "lazy quantifiers"),
        ("a{2,3}?", 6, "lazy quantifiers"),
        ("a*+", 2, "possessive quantifiers"),
        ("a?+", 2, "possessive quantifiers"),
        (#"(a)\1"#, 3, "back-references are not supported"),
        (#"\k<x>"#, 0, "back-references are not supported"),
        ("(?P=x)", 0, "back-references are not supported"),
        ("(?=a)", 0, "lookahead"),
        ("x(?!a)", 1, "lookahead"),
        ("(?<=a)b", 0, "lookbehind"),
        ("(?<!a)b", 0, "lookbehind"),
        ("(?<name>a)", 0, "named groups"),
        ("(?P<name>a)", 0, "named groups"),
        ("(?'name'a)", 0, "named groups"),
        ("(?i)abc", 0, "inline flags"),
        ("ab(?i:c)", 2, "inline flags"),
        ("(?>a)", 0, "atomic groups"),
        ("(?", 0, "incomplete group"),
        (#"\bfoo"#, 0, "word boundaries"),
        (#"a\B"#, 1, "word boundaries"),
        (#"\Aa"#, 0, "use ^ and $"),
        (#"\p{L}"#, 0, "Unicode properties"),
        (#"\q"#, 0, "unknown escape"),
        (#"\0"#, 0, "unknown escape"),
        ("abc\\", 3, "trailing backslash"),
        ("[z-a]", 1, "invalid range 'z-a'"),
        ("x[ab-a]", 3, "invalid range 'b-a'"),
        (#"[\d-z]"#, 1, "cannot start a range"),
        (#"[a-\d]"#, 3, "cannot end a range"),
        ("a{3,2}", 1, "minimum is greater than maximum"),
        ("a{1001}", 2, "exceeds the limit of 1000"),
        ("a{1,99999999999999999999}", 4, "exceeds the limit of 1000"),
        ("a{2", 1, "invalid repetition"),
        ("a{,3}", 1, "invalid repetition"),
        ("a{x}", 1, "invalid repetition"),
        ("^*", 1, "cannot follow the anchor '^'"),
        ("a$+", 2, "cannot follow the anchor '$'"),
        ("[[:foo:]]", 1, "unknown character class '[:foo:]'"),
        ("[[:alpha]", 1, "unterminated character class name"),
        ("[[.a.]]", 1, "collating elements"),
        ("[[=a=]]", 1, "collating elements"),
        ("[é]", 1, "non-ASCII"),
        ("é[ü]", 2, "non-ASCII"),
        ("ü)", 1, "unmatched ')'"),  // offsets count Unicode scalars, not bytes
        (#"\é"#, 0, "only ASCII punctuation"),
        ("(a{1000}){1000}", 9, "pattern too large"),
        ("a{1000}b{1000}" + String(repeating: "c{1000}", count: 48), 343, "pattern too large"),
        (String(repeating: "(", count: 300) + String(repeating: ")", count: 300), 250, "nested more than 250"),
    ]

    @Test(arguments: cases)
    func rejected(_ pattern: String, _ offset: Int, _ fragment: String) {
        do {
            let node = try RegexPattern.parse(pattern)
            Issue.record("'\(pattern)' parsed as \(node), expected an error containing '\(fragment)'")
        } catch {
            #expect(error.offset == offset, "'\(pattern)': \(error)")
            #expect(error.message.contains(fragment), "'\(pattern)': \(error)")
        }
    }

    @Test func errorDescriptionNamesOffset() {
        #expect(RegexSyntaxError(message: "unmatched ')'", offset: 4).description == "unmatched ')' at offset 4")
    }

    @Test func compileWrapsSyntaxErrorWithPatternID() {
        do {
            _ = try DFACompiler.compile([(id: 1, pattern: "ok"), (id: 7, pattern: "a(b")])
            Issue.record("expected a syntax error")
        } catch let error as PatternSyntaxError {
            #expect(error.patternID == 7)
            #expect(error.pattern == "a(b")
            #expect(error.error == RegexSyntaxError(message: "missing ')' for this '('", offset: 1))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
