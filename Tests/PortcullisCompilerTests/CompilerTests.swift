import PortcullisCompiler
import PortcullisPolicy
import Testing

/// Compiling policies and deciding events from the image, as the kernel will.
@Suite struct CompilerTests {
    static func policy(_ rules: [(PathPattern, Action)], mode: Policy.Mode = .enforce) -> Policy {
        let at = SourceLocation(file: "t.yaml", line: 1, column: 1)
        return Policy(
            name: "p", source: at, mode: mode,
            rules: rules.map {
                Rule(operation: .exec(paths: [$0.0], args: nil), subject: .everyone, action: $0.1, source: at)
            })
    }

    static func decide(_ policies: [Policy], _ path: String) throws -> ImageEvaluator.Decision {
        let compiled = try PolicyCompiler.compile(policies, generation: 1)
        return ImageEvaluator(compiled.image).exec(path: Array(path.utf8))
    }

    @Test func exactPathDeniesOnlyThatPath() throws {
        let p = [Self.policy([(.exact("/usr/bin/kubectl"), .deny)])]
        #expect(try Self.decide(p, "/usr/bin/kubectl") == .deny(rules: [0]))
        #expect(try Self.decide(p, "/usr/bin/kubectl2") == .allow)
        #expect(try Self.decide(p, "/usr/bin/kubect") == .allow)
        #expect(try Self.decide(p, "/usr/bin/kubectl/") == .allow)
    }

    @Test func dotsInExactPathsAreLiteral() throws {
        let p = [Self.policy([(.exact("/opt/a.b"), .deny)])]
        #expect(try Self.decide(p, "/opt/a.b") == .deny(rules: [0]))
        #expect(try Self.decide(p, "/opt/aXb") == .allow)
    }

    @Test func everyASCIIPunctuationInExactPathsIsLiteral() throws {
        let path = ##"/opt/a b!"#$%&'()*+,-.:;<=>?@[\]^_`{|}~/é9Z"##
        let p = [Self.policy([(.exact(path), .deny)])]
        #expect(try Self.decide(p, path) == .deny(rules: [0]))
        #expect(try Self.decide(p, String(path.map { $0 == "." ? "x" : $0 })) == .allow)
        #expect(try Self.decide(p, path.filter { $0 != "*" }) == .allow)
        #expect(try Self.decide(p, path + "Z") == .allow)
    }

    @Test func prefixAndRegexRules() throws {
        let p = [Self.policy([(.prefix("/tmp/"), .deny), (.regex("^/usr/bin/(kube|helm)"), .audit)])]
        #expect(try Self.decide(p, "/tmp/x") == .deny(rules: [0]))
        #expect(try Self.decide(p, "/usr/bin/helm") == .audit(rules: [1]))
        #expect(try Self.decide(p, "/usr/bin/kubeadm") == .audit(rules: [1]))
        #expect(try Self.decide(p, "/usr/bin/true") == .allow)
    }

    @Test func denyBeatsAuditOnTheSamePath() throws {
        let p = [Self.policy([(.regex("kubectl"), .audit), (.exact("/usr/bin/kubectl"), .deny)])]
        #expect(try Self.decide(p, "/usr/bin/kubectl") == .deny(rules: [1]))
        #expect(try Self.decide(p, "/opt/kubectl") == .audit(rules: [0]))
    }

    @Test func auditModeTurnsDeniesIntoAudits() throws {
        let p = [Self.policy([(.exact("/usr/bin/kubectl"), .deny)], mode: .audit)]
        #expect(try Self.decide(p, "/usr/bin/kubectl") == .audit(rules: [0]))
    }

    @Test func overlongPathsFailClosedOnlyWhenExecRulesExist() throws {
        let long = "/" + String(repeating: "a", count: 5000)
        #expect(try Self.decide([Self.policy([(.exact("/x"), .deny)])], long) == .denyUnreadable)
        #expect(try Self.decide([], long) == .allow)
    }

    @Test func encodingIsDeterministic() throws {
        let p = [Self.policy([(.regex("^/usr/(s?bin)/k[a-z]+$"), .deny), (.prefix("/opt/"), .audit)])]
        let a = try PolicyCompiler.compile(p, generation: 7)
        let b = try PolicyCompiler.compile(p, generation: 7)
        #expect(a.image == b.image)
        #expect(a.image.generation == 7)
        #expect(a.image.words.count % PolicyImage.lineWords == 0)
    }

    @Test func anExecRuleWithoutAPathIsAboutEveryProgram() throws {
        let at = SourceLocation(file: "c.yaml", line: 4, column: 7)
        let rule = Rule(operation: .exec(paths: [], args: "--force"), subject: .everyone, action: .deny, source: at)
        let compiled = try PolicyCompiler.compile(
            [Policy(name: "c", source: at, mode: .enforce, rules: [rule])], generation: 1)
        #expect(compiled.diagnostics.isEmpty)
        let e = ImageEvaluator(compiled.image)
        #expect(e.exec(path: Array("/usr/bin/rm".utf8), arguments: ["-r", "--force", "/x"]) == .deny(rules: [0]))
        #expect(e.exec(path: Array("/opt/x/tool".utf8), arguments: ["--force"]) == .deny(rules: [0]))
        #expect(e.exec(path: Array("/usr/bin/rm".utf8), arguments: ["-r", "/x"]) == .allow)
    }
}

@Suite struct ImageComparisonTests {
    static func tableBytes(_ image: PolicyImage) -> [UInt8] {
        var bytes: [UInt8] = []
        image.withTableBytes { bytes += $0 }
        return bytes
    }

    @Test func tableBytesAreTheWordsWithTheGenerationNumberReadAsZero() throws {
        let p = [CompilerTests.policy([(.exact("/usr/bin/kubectl"), .deny)])]
        let a = try PolicyCompiler.compile(p, generation: 0x1_0000_0002).image
        let bytes = Self.tableBytes(a)
        let zero = a.withGeneration(0).words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }
        #expect(bytes == zero)
        #expect(Self.tableBytes(try PolicyCompiler.compile(p, generation: 7).image) == bytes)
        let c = try PolicyCompiler.compile([CompilerTests.policy([(.exact("/usr/bin/kubectl"), .audit)])], generation: 1)
        #expect(Self.tableBytes(c.image) != bytes)
    }
}

@Suite struct GenerationNumberTests {
    @Test func withGenerationChangesOnlyTheNumber() throws {
        let policy = CompilerTests.policy([(.exact("/usr/bin/kubectl"), .deny)])
        let five = try PolicyCompiler.compile([policy], generation: 5).image
        let renumbered = try PolicyCompiler.compile([policy], generation: 0).image.withGeneration(5)
        #expect(renumbered == five)
        #expect(five.withGeneration(1 << 40).generation == 1 << 40)
        #expect(five.withGeneration(1 << 40).withGeneration(5) == five)
    }
}
