import PortcullisCompiler
import PortcullisPolicy
import Testing

/// Exec rules by content: `sha256:` conditions (AND with paths), and the content of
/// the file at a literal path of a deny or audit rule (an alternative to its path,
/// like its identity). The reference evaluator mirrors pc_content.h and pc_rules.h.
@Suite struct ContentRuleTests {
    static let at = SourceLocation(file: "c.yaml", line: 1, column: 1)
    static let kubectl = ContentDigest(bytes: Array(repeating: 0xab, count: 32))!
    static let other = ContentDigest(bytes: Array(repeating: 0x01, count: 32))!
    static let third = ContentDigest(bytes: (0..<32).map { UInt8($0) })!

    static func rule(
        _ paths: [PathPattern], _ content: ExecContent = ExecContent(), args: String? = nil, action: Action = .deny,
        subject: Subject = .everyone
    ) -> Rule {
        Rule(operation: .exec(paths: paths, args: args, content: content), subject: subject, action: action, source: at)
    }

    static func evaluator(
        _ rules: [Rule], mode: Policy.Mode = .enforce, files: [String: ContentDigest] = [:]
    ) throws -> ImageEvaluator {
        let policy = Policy(name: "c", source: at, mode: mode, rules: rules)
        return ImageEvaluator(try PolicyCompiler.compile([policy], generation: 1, digest: { files[$0] }).image)
    }

    static func path(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func aCopyOfADeniedProgramIsDeniedByItsContent() throws {
        let e = try Self.evaluator([Self.rule([.exact("/usr/bin/kubectl")])], files: ["/usr/bin/kubectl": Self.kubectl])
        #expect(e.exec(path: Self.path("/tmp/k"), content: .known(Self.kubectl)) == .deny(rules: [0]))
        #expect(e.exec(path: [], content: .known(Self.kubectl)) == .deny(rules: [0]), "a memfd: no path")
        #expect(e.exec(path: Self.path("/tmp/k"), content: .known(Self.other)) == .allow, "other content")
        #expect(e.exec(path: Self.path("/tmp/k"), content: .unknown) == .allow, "a derived digest never fails closed")
        #expect(e.exec(path: Self.path("/usr/bin/kubectl"), content: .known(Self.other)) == .deny(rules: [0]))
        #expect(e.executableMapping(path: Self.path("/tmp/k"), content: .known(Self.kubectl)) == .deny(rules: [0]))
        #expect(e.image.namesContent)
    }

    @Test func matchCopiesFalseAllowsRulesAndArgumentRulesKeepToThePath() throws {
        let e = try Self.evaluator(
            [
                Self.rule([.exact("/usr/bin/a")], ExecContent(matchCopies: false)),
                Self.rule([.exact("/usr/bin/b")], action: .allow),
                Self.rule([.exact("/usr/bin/c")], args: "--force"),
                Self.rule([.prefix("/opt/")]),
            ],
            files: ["/usr/bin/a": Self.kubectl, "/usr/bin/b": Self.other, "/usr/bin/c": Self.third, "/opt/": Self.third])
        #expect(!e.image.namesContent)
        for digest in [Self.kubectl, Self.other, Self.third] {
            #expect(e.exec(path: Self.path("/tmp/x"), content: .known(digest)) == .allow)
        }
    }

    @Test func auditModeAndAuditRulesFollowCopiesToo() throws {
        let e = try Self.evaluator([Self.rule([.exact("/usr/bin/kubectl")])], mode: .audit, files: ["/usr/bin/kubectl": Self.kubectl])
        #expect(e.exec(path: Self.path("/tmp/k"), content: .known(Self.kubectl)) == .audit(rules: [0]))
    }

    @Test func aDigestRuleMatchesItsContentAnywhereAndFailsClosed() throws {
        let e = try Self.evaluator([Self.rule([], ExecContent(digests: [Self.kubectl, Self.third]))])
        #expect(e.exec(path: Self.path("/usr/bin/anything"), content: .known(Self.kubectl)) == .deny(rules: [0]))
        #expect(e.exec(path: [], content: .known(Self.third)) == .deny(rules: [0]))
        #expect(e.exec(path: Self.path("/usr/bin/anything"), content: .known(Self.other)) == .allow)
        // A digest the kernel could not have: the content condition is unknown, the deny applies.
        #expect(e.exec(path: Self.path("/usr/bin/anything"), content: .unknown) == .deny(rules: [0]))
        #expect(e.executableMapping(path: Self.path("/lib/x.so"), content: .unknown) == .deny(rules: [0]))
    }

    @Test func aPathAndADigestMustBothHold() throws {
        let e = try Self.evaluator([Self.rule([.prefix("/srv/")], ExecContent(digests: [Self.kubectl]))])
        #expect(e.exec(path: Self.path("/srv/k"), content: .known(Self.kubectl)) == .deny(rules: [0]))
        #expect(e.exec(path: Self.path("/srv/k"), content: .known(Self.other)) == .allow, "the path alone")
        #expect(e.exec(path: Self.path("/tmp/k"), content: .known(Self.kubectl)) == .allow, "the content alone")
        #expect(e.exec(path: Self.path("/srv/k"), content: .unknown) == .deny(rules: [0]), "unknown content: fail closed")
        #expect(e.exec(path: Self.path("/tmp/k"), content: .unknown) == .allow, "the path does not match")
    }

    @Test func anAllowByContentNeedsTheDigestKnown() throws {
        let e = try Self.evaluator([
            Self.rule([.prefix("/opt/")]),
            Self.rule([.prefix("/opt/")], ExecContent(digests: [Self.other]), action: .allow),
        ])
        #expect(e.exec(path: Self.path("/opt/tool"), content: .known(Self.other)) == .allow)
        #expect(e.exec(path: Self.path("/opt/tool"), content: .known(Self.kubectl)) == .deny(rules: [0]))
        #expect(e.exec(path: Self.path("/opt/tool"), content: .unknown) == .deny(rules: [0]), "an unknown never grants")
    }

    @Test func contentRulesKeepTheirSubjects() throws {
        let e = try Self.evaluator([Self.rule([], ExecContent(digests: [Self.kubectl]), subject: Subject(uids: [1000]))])
        #expect(e.exec(path: Self.path("/x"), content: .known(Self.kubectl), caller: .init(uid: 1000)) == .deny(rules: [0]))
        #expect(e.exec(path: Self.path("/x"), content: .known(Self.kubectl), caller: .init(uid: 0)) == .allow)
    }

    @Test func theSeedsKubectlRuleFollowsItsContent() throws {
        let read = PolicyReader.read(
            Array(
                """
                apiVersion: cilium.io/v1alpha1
                kind: CiliumNetworkPolicy
                metadata:
                  name: block-kubectl-execution
                spec:
                  endpointSelector: {}
                  runtime:
                    requirements:
                      - matchProcesses:
                          - pathRegex: "^/usr/bin/kubectl$"
                        matchActions:
                          - deny
                """.utf8), file: "seed.yaml")
        #expect(read.diagnostics.isEmpty, "\(read.diagnostics)")
        let files = ["/usr/bin/kubectl": Self.kubectl]
        let e = ImageEvaluator(try PolicyCompiler.compile(read.policies, generation: 1, digest: { files[$0] }).image)
        #expect(e.exec(path: Self.path("/tmp/k"), content: .known(Self.kubectl)) == .deny(rules: [0]))
        #expect(e.exec(path: Self.path("/tmp/k"), content: .known(Self.other)) == .allow)
    }

    @Test(arguments: [1, 9, 300])
    func everyDigestIsFoundAmongMany(count: Int) throws {
        var files: [String: ContentDigest] = [:]
        var rules: [Rule] = []
        for i in 0..<count {
            var bytes = [UInt8](repeating: 0, count: 32)
            withUnsafeBytes(of: UInt64(i) &* 0x9e37_79b9_7f4a_7c15) { bytes.replaceSubrange(0..<8, with: $0) }
            bytes[31] = UInt8(i & 0xff)
            files["/bin/p\(i)"] = ContentDigest(bytes: bytes)!
            rules.append(Self.rule([.exact("/bin/p\(i)")]))
        }
        let e = try Self.evaluator(rules, files: files)
        for i in 0..<count {
            #expect(e.exec(path: Self.path("/elsewhere"), content: .known(files["/bin/p\(i)"]!)) == .deny(rules: [i]))
        }
        #expect(e.exec(path: Self.path("/elsewhere"), content: .known(Self.kubectl)) == .allow)
    }

    @Test func tooManyDistinctDigestListsIsAClearError() throws {
        let rules = (0...256).map { i in  // PC_CONTENT_MAX distinct lists, and one more
            Self.rule([], ExecContent(digests: [ContentDigest(bytes: [UInt8](repeating: UInt8(i & 0xff), count: 31) + [UInt8(i >> 8)])!]))
        }
        #expect(throws: CompileError.self) { try Self.evaluator(rules) }
    }
}
