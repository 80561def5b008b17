import Foundation
import PortcullisPolicy
import Testing

@Suite struct SeedFormatTests {
    @Test func kubectlSeedIsAnExecDenyForEveryone() throws {
        let file = try Fixtures.seed("block-kubectl-execution.yaml")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let policy = try #require(file.policies.first)
        #expect(policy.name == "block-kubectl-execution")
        #expect(policy.mode == .enforce)
        #expect(policy.rules.count == 1)
        let rule = policy.rules[0]
        #expect(rule.operation == .exec(paths: [.regex("^/usr/bin/kubectl$")], args: nil))
        #expect(rule.subject.isEveryone)
        #expect(rule.action == .deny)
        #expect(rule.source.line == 11)
    }

    @Test func netAdminSeedIsACapabilityDenyForEveryone() throws {
        let file = try Fixtures.seed("deny-net-admin-capability.yaml")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rule = try #require(file.policies.first?.rules.first)
        #expect(rule.operation == .capability([Capability(name: "CAP_NET_ADMIN")!]))
        #expect(rule.subject.isEveryone)
        #expect(rule.action == .deny)
    }

    @Test func hostpathSeedIsACapabilityDenyForBindMounts() throws {
        let file = try Fixtures.seed("deny-hostpath-mount.yaml")
        #expect(file.isUsable)
        let rule = try #require(file.policies.first?.rules.first)
        #expect(rule.operation == .capability([Capability(name: "CAP_SYS_ADMIN")!]))
        #expect(rule.subject == Subject(executables: [.regex("^/usr/bin/mount$")], args: ".*-o.*bind.*"))
        #expect(rule.action == .deny)
    }

    @Test func networkSectionsAreWarnedAboutWithTheirLines() throws {
        let file = try Fixtures.seed("deny-hostpath-mount.yaml")
        let warnings = file.diagnostics.filter { $0.severity == .warning }
        #expect(warnings.map(\.field) == ["spec.policyTypes", "spec.egress"])
        #expect(warnings.map(\.line) == [8, 11])
        #expect(warnings.allSatisfy { $0.message.contains("not enforce") })
        #expect(warnings[0].description.hasPrefix("deny-hostpath-mount.yaml:8:3:"))
    }

    @Test func podLabelsAreAnErrorOnAHost() {
        let file = Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: CiliumNetworkPolicy
            metadata: { name: x }
            spec:
              endpointSelector:
                matchLabels: { app: web }
              runtime:
                requirements:
                  - matchProcesses: [{ pathRegex: "^/bin/sh$" }]
                    matchActions: [deny]
            """)
        #expect(!file.isUsable)
        #expect(file.diagnostics.first?.line == 6)
        #expect(file.diagnostics.first?.column == 5)
        #expect(file.diagnostics.first?.message.contains("every process") == true)
    }
}
