@testable import PortcullisCompiler
import PortcullisPolicy
import Testing

/// Programs with no path on the host (memfd_create, O_TMPFILE, a deleted file): the
/// kernel matches their path as the empty string, which `exec: { anonymous: true }`
/// names and no path pattern matches.
@Suite struct AnonymousExecTests {
    static let anonymous: [UInt8] = []

    static func read(_ exec: String) -> PolicyFile {
        PolicyReader.read(
            Array(
                """
                apiVersion: portcullis/v1alpha1
                kind: Policy
                metadata: { name: p }
                spec:
                  rules:
                    - exec: \(exec)
                      action: deny
                """.utf8), file: "a.yaml")
    }

    static func evaluator(_ exec: String) throws -> ImageEvaluator {
        let file = read(exec)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        return ImageEvaluator(try PolicyCompiler.compile(file.policies, generation: 1).image)
    }

    @Test func anonymousNamesProgramsWithNoPath() throws {
        let e = try Self.evaluator("{ anonymous: true }")
        #expect(e.exec(path: Self.anonymous) == .deny(rules: [0]))
        #expect(e.exec(path: Array("/usr/bin/true".utf8)) == .allow)
        #expect(e.executableMapping(path: Self.anonymous) == .deny(rules: [0]))
    }

    @Test func pathPatternsNeverMatchAnonymousPrograms() throws {
        let e = try Self.evaluator("{ pathPrefix: /, pathRegex: \"^/tmp/\" }")
        #expect(e.exec(path: Self.anonymous) == .allow)
        #expect(e.exec(path: Array("/tmp/x".utf8)) == .deny(rules: [0]))
        let both = try Self.evaluator("{ pathPrefix: /tmp/, anonymous: true }")
        #expect(both.exec(path: Self.anonymous) == .deny(rules: [0]))
        #expect(both.exec(path: Array("/tmp/x".utf8)) == .deny(rules: [0]))
        #expect(both.exec(path: Array("/usr/bin/x".utf8)) == .allow)
    }

    @Test func aRuleWithoutPathsCoversAnonymousProgramsToo() throws {
        let e = try Self.evaluator("{ argsRegex: \"^--evil\" }")
        #expect(e.exec(path: Self.anonymous, arguments: ["--evil"]).strength == 2)
        #expect(e.exec(path: Array("/usr/bin/x".utf8), arguments: ["--evil"]).strength == 2)
        #expect(e.exec(path: Self.anonymous, arguments: ["--good"]) == .allow)
    }

    @Test func anonymousFalseOrAWrongValue() {
        #expect(Self.read("{ anonymous: false, path: /x }").diagnostics.isEmpty)
        let empty = Self.read("{ anonymous: false }")
        #expect(empty.diagnostics.contains { $0.message.contains("'anonymous: true'") })
        let wrong = Self.read("{ anonymous: memfd }")
        #expect(wrong.diagnostics.contains { $0.message.contains("expected true or false") && $0.line == 6 })
        #expect(PathPattern.anonymous.literalPath == nil)
        #expect(PathPattern.anonymous.description == "(anonymous)")
    }
}
