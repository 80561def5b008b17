import PortcullisRegex
import Testing

/// A literal escaped is a pattern that matches exactly that literal.
@Suite struct EscapeTests {
    @Test(arguments: ["/usr/bin/c++", "(x)[y]{z}|a*b?^$\\", "/srv/my app/v1.2", "/opt/ünïcode/-~#"])
    func anEscapedLiteralMatchesItselfOnly(_ literal: String) throws {
        let dfa = try DFACompiler.compile([(id: 0, pattern: "^" + RegexPattern.escape(literal) + "$")])
        #expect(dfa.matches(Array(literal.utf8)) == [0])
        #expect(dfa.matches(Array((literal + "x").utf8)).isEmpty)
        #expect(dfa.matches(Array(("x" + literal).utf8)).isEmpty)
    }

    @Test func onlyOperatorsAreEscaped() {
        #expect(RegexPattern.escape("/usr/bin/a-b c") == "/usr/bin/a-b c")
        #expect(RegexPattern.escape("a.b") == "a\\.b")
    }
}
