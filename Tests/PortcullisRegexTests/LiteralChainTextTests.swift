import PropertyBased
import Testing
@testable import PortcullisRegex

@Suite("Literal chains read off the text: the parser's chain, or left to the parser")
struct LiteralChainTextTests {
    /// Characters a path may hold: the test alphabet, every operator, a
    /// backslash, a tab, a NUL and a non-ASCII character.
    static let pathCharacters: [Character] =
        alphabet + ["^", "$", "[", "(", ")", "|", "*", "+", "?", "{", "}", "\\", "\t", "\0", "é", "_"]

    @Test func escapedPathsAreReadAsTheirParse() async throws {
        await propertyCheck(count: 1000, input: Gen.int(in: 0...999).array(of: 0...20), Gen.int(in: 0...1)) { values, exact in
            let path = String(values.map { Self.pathCharacters[$0 % Self.pathCharacters.count] })
            let pattern = "^" + RegexPattern.escape(path) + (exact == 1 ? "$" : "")
            let parsed = LiteralChain(try! RegexPattern.parse(pattern))
            let read = LiteralChain(text: pattern)
            // Escaped paths are read, unless they hold a NUL, which the reader leaves to the parser.
            if !path.contains("\0") { #expect(read != nil, "\(pattern)") }
            if let read { #expect(read == parsed, "\(pattern)") }
        }
    }

    @Test func anyPatternReadAsAChainParsesToThatChain() async throws {
        await propertyCheck(count: 1000, input: Gen.int(in: 0...9999).array(of: 0...30), Gen.int(in: 0...2)) { values, kind in
            var chooser = Chooser(values)
            let pattern = kind == 0 ? LiteralChainTests.chainPattern(values) : genPattern(&chooser).posix
            guard let read = LiteralChain(text: pattern) else { return }
            guard let node = try? RegexPattern.parse(pattern) else {
                Issue.record("\(pattern) was read as a chain but does not parse")
                return
            }
            #expect(LiteralChain(node) == read, "\(pattern)")
        }
    }

    @Test func asciiIsEscapedAsCharacterByCharacter() async throws {
        await propertyCheck(count: 500, input: Gen.int(in: 0...127).array(of: 0...30)) { values in
            let text = String(decoding: values.map(UInt8.init), as: UTF8.self)
            #expect(RegexPattern.escapeASCII(text) == RegexPattern.escapeCharacters(text), "\(values)")
        }
    }

    @Test func onlyPlainTextIsRead() {
        for pattern in ["^/usr/bin/kubectl$", "^/opt/", "^", "^$", #"^/a\.b\ c$"#, "^/é$"] {
            #expect(LiteralChain(text: pattern) != nil, "\(pattern)")
        }
        for pattern in ["/usr", "^a.b", "^a*", "^a$b", "^$$", "^^a", #"^\d"#, #"^a\"#, "^a]", "^a}", "^(a)", #"^\n"#] {
            #expect(LiteralChain(text: pattern) == nil, "\(pattern)")
        }
    }
}
