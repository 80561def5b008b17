import PortcullisPolicy
import Testing

@Suite struct LiteralPathTests {
    @Test(arguments: [
        (PathPattern.exact("/usr/bin/kubectl"), "/usr/bin/kubectl"),
        (.regex("^/usr/bin/kubectl$"), "/usr/bin/kubectl"),
        (.regex(#"^/opt/a\.b/c\-d$"#), "/opt/a.b/c-d"),
    ])
    func literalPatternsGiveTheirPath(pattern: PathPattern, path: String) {
        #expect(pattern.literalPath == path)
    }

    @Test(arguments: [
        PathPattern.prefix("/usr/bin/"), .regex("^/usr/bin/kube.*$"), .regex("/usr/bin/kubectl$"),
        .regex("^/usr/bin/kubectl"), .regex("^/usr/bin/(kubectl)$"), .regex(#"^/usr/bin/\d$"#),
        .regex("^kubectl$"),
    ])
    func patternsWithOperatorsAreNotLiterals(pattern: PathPattern) {
        #expect(pattern.literalPath == nil)
    }
}
