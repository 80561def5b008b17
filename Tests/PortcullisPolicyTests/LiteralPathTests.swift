import PortcullisPolicy
import Testing

@Suite struct LiteralPathTests {
    @Test(arguments: [
        (PathPattern.exact("/usr/bin/kubectl"), "/usr/bin/kubectl"),
        (.regex("^/usr/bin/kubectl$"), "/usr/bin/kubectl"),
        (.regex(#"^/opt/a\.b/c\-d$"#), "/opt/a.b/c-d"),
        (.regex(#"^/a\|b\+c\?d\{e\}\[f\]\(g\)\*h\^i\$$"#), "/a|b+c?d{e}[f](g)*h^i$"),
    ])
    func literalPatternsGiveTheirPath(pattern: PathPattern, path: String) {
        #expect(pattern.literalPath == path)
    }

    @Test(arguments: [
        PathPattern.prefix("/usr/bin/"), .regex("^/usr/bin/kube.*$"), .regex("/usr/bin/kubectl$"),
        .regex("^/usr/bin/kubectl"), .regex("^/usr/bin/(kubectl)$"), .regex(#"^/usr/bin/\d$"#),
        .regex("^kubectl$"), .regex("^/a|b$"), .regex("^/a+$"), .regex("^/a?$"), .regex("^/a*$"),
        .regex("^/a{2}$"), .regex("^/a[b]$"), .regex("^/a^b$"), .regex("^/a$b$"), .regex("^/a.b$"),
    ])
    func patternsWithOperatorsAreNotLiterals(pattern: PathPattern) {
        #expect(pattern.literalPath == nil)
    }
}
