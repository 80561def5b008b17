import PortcullisPolicy
import Testing

/// `exec: { sha256: ... }` names programs by content; `matchCopies: false` keeps a
/// literal path's rule to that path.
@Suite struct NativeContentTests {
    static let digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  // sha256("abc")

    static func read(_ exec: String) -> PolicyFile {
        Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - exec: \(exec)
                  action: deny
            """)
    }

    @Test func aDigestAloneIsAnExecRule() throws {
        let file = Self.read("{ sha256: \(Self.digest) }")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rule = try #require(file.policies.first?.rules.first)
        guard case .exec(let paths, let args, let content) = rule.operation else {
            Issue.record("not an exec rule: \(rule.operation)")
            return
        }
        #expect(paths.isEmpty && args == nil)
        #expect(content.digests.map(\.hex) == [Self.digest])
        #expect(content.matchCopies)
    }

    @Test func aListOfDigestsAndAPathAreBothConditions() throws {
        let upper = Self.digest.uppercased()
        let file = Self.read("{ path: /usr/bin/kubectl, sha256: [\(upper), \(String(repeating: "0", count: 64))] }")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rule = try #require(file.policies.first?.rules.first)
        guard case .exec(let paths, _, let content) = rule.operation else {
            Issue.record("not exec")
            return
        }
        #expect(paths == [.exact("/usr/bin/kubectl")])
        #expect(content.digests.map(\.hex) == [Self.digest, String(repeating: "0", count: 64)])
        #expect(rule.operation.summary == "exec /usr/bin/kubectl and sha256:\(Self.digest) | sha256:\(String(repeating: "0", count: 64))")
    }

    @Test func matchCopiesFalseIsKept() throws {
        let file = Self.read("{ path: /usr/local/bin/build-tool, matchCopies: false }")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        guard case .exec(_, _, let content) = file.policies.first?.rules.first?.operation else {
            Issue.record("not exec")
            return
        }
        #expect(!content.matchCopies)
    }

    @Test(arguments: [
        ("{ sha256: abc }", "is not a SHA-256 digest"),
        ("{ sha256: \(String(repeating: "g", count: 64)) }", "is not a SHA-256 digest"),
        ("{ sha256: \(digest)0 }", "is not a SHA-256 digest"),
        ("{ sha256: \(digest), argsRegex: 'x' }", "cannot be combined with 'sha256'"),
        ("{ path: /bin/x, matchCopies: maybe }", "expected true or false"),
    ])
    func badContentConditionsAreErrorsWhereWritten(exec: String, message: String) throws {
        let file = Self.read(exec)
        let error = try #require(file.diagnostics.first { $0.severity == .error }, "no error for \(exec)")
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.line == 6, "\(error)")
        #expect(error.column > 9, "\(error)")
        #expect(file.policies.isEmpty || file.policies.allSatisfy { $0.rules.isEmpty })
    }

    @Test func digestsRoundTripThroughHex() throws {
        let d = try #require(ContentDigest(hex: Self.digest))
        #expect(d.hex == Self.digest)
        #expect(ContentDigest(bytes: d.bytes) == d)
        #expect(ContentDigest(bytes: Array(d.bytes.dropLast())) == nil)
    }
}
