import PortcullisPolicy
import Testing

/// `capability:` as a list (every user namespace) or as a mapping with `names` and
/// `userNamespace` (`any`, or `initial`: only when the capability is checked against
/// the host's initial user namespace).
@Suite struct NativeCapabilityTests {
    static func read(_ capability: String, subject: String = "") -> PolicyFile {
        Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - capability: \(capability)
            \(subject.isEmpty ? "" : "      subject: \(subject)\n")      action: deny
            """)
    }

    @Test func aListAppliesInEveryUserNamespace() throws {
        let file = Self.read("[CAP_NET_ADMIN]")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rule = try #require(file.policies.first?.rules.first)
        #expect(rule.operation == .capability([Capability(name: "CAP_NET_ADMIN")!]))
        #expect(!rule.subject.initialUserNamespaceOnly)
        #expect(rule.subject.isEveryone)
    }

    @Test func theMappingFormNamesTheScope() throws {
        let initial = Self.read("{ names: [net_admin, CAP_SYS_ADMIN], userNamespace: initial }", subject: "{ uid: 1000 }")
        #expect(initial.diagnostics.isEmpty, "\(initial.diagnostics)")
        let rule = try #require(initial.policies.first?.rules.first)
        #expect(rule.operation == .capability([Capability(name: "CAP_NET_ADMIN")!, Capability(name: "CAP_SYS_ADMIN")!]))
        #expect(rule.subject.initialUserNamespaceOnly)
        #expect(rule.subject.uids == [1000])
        #expect(!rule.subject.isEveryone)
        let any = Self.read("{ names: [CAP_NET_ADMIN], userNamespace: any }")
        #expect(any.diagnostics.isEmpty, "\(any.diagnostics)")
        #expect(any.policies.first?.rules.first?.subject.initialUserNamespaceOnly == false)
        let plain = Self.read("{ names: [CAP_NET_ADMIN] }")
        #expect(plain.diagnostics.isEmpty, "\(plain.diagnostics)")
        #expect(plain.policies.first?.rules.first?.subject.initialUserNamespaceOnly == false)
    }

    @Test func mistakesAreErrorsWithTheirPlace() {
        for (text, expected) in [
            ("{ userNamespace: initial }", "'names' is missing"),
            ("{ names: [CAP_NET_ADMIN], userNamespace: host }", "host"),
            ("{ names: [CAP_NET_ADMIN], scope: initial }", "scope"),
            ("{ names: [CAP_NOPE] }", "unknown capability 'CAP_NOPE'"),
        ] {
            let file = Self.read(text)
            let error = file.diagnostics.first { $0.severity == .error }
            #expect(error?.message.contains(expected) == true, "\(text): \(file.diagnostics)")
            #expect(error?.line == 6, "\(text): \(file.diagnostics)")
        }
    }
}
