import PortcullisPolicy
import Testing

/// `endpointSelector.matchLabels` with `unit`, `slice` or `cgroup` in the seed format.
@Suite struct SeedScopeTests {
    static func policy(labels: String) -> PolicyFile {
        Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: CiliumNetworkPolicy
            metadata: { name: x }
            spec:
              endpointSelector:
                matchLabels: \(labels)
              runtime:
                requirements:
                  - matchProcesses: [{ pathRegex: "^/usr/bin/kubectl$" }]
                    matchActions: [deny]
                  - matchCapabilities: [CAP_SYS_ADMIN]
                    matchProcesses: [{ pathRegex: "^/usr/bin/mount$", argsRegex: "bind" }]
                    matchActions: [deny]
            """)
    }

    @Test func unitScopesEveryRule() throws {
        let file = Self.policy(labels: "{ unit: nginx.service }")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rules = try #require(file.policies.first?.rules)
        #expect(rules.count == 2)
        #expect(rules[0].operation == .exec(paths: [.regex("^/usr/bin/kubectl$")], args: nil))
        #expect(rules[0].subject == Subject(units: ["nginx.service"]))
        #expect(
            rules[1].subject
                == Subject(executables: [.regex("^/usr/bin/mount$")], args: "bind", units: ["nginx.service"]))
    }

    @Test func sliceScopesEveryRule() throws {
        let file = Self.policy(labels: "{ slice: user.slice }")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        #expect(file.policies.first?.rules.map(\.subject.units) == [["user.slice"], ["user.slice"]])
    }

    @Test func cgroupScopesEveryRuleToTheSubtree() throws {
        let file = Self.policy(labels: "{ cgroup: /system.slice/docker.service }")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let subtree: [PathPattern] = [
            .exact("/system.slice/docker.service"), .prefix("/system.slice/docker.service/"),
        ]
        #expect(file.policies.first?.rules.map(\.subject.cgroups) == [subtree, subtree])
    }

    @Test func sliceLabelNeedsASlice() throws {
        let file = Self.policy(labels: "{ slice: nginx.service }")
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (6, 27))
        #expect(d.field == "spec.endpointSelector.matchLabels.slice")
        #expect(d.message.contains("'.slice'"))
        #expect(!file.isUsable)
    }

    @Test func badUnitIsAnError() throws {
        let file = Self.policy(labels: "{ unit: nginx }")
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (6, 26))
        #expect(!file.isUsable)
    }

    @Test func podLabelNamesTheLabelAndTheHostScopes() throws {
        let file = Self.policy(labels: "{ unit: a.service, k8s-app: web }")
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (6, 5))
        #expect(d.field == "spec.endpointSelector.matchLabels.k8s-app")
        #expect(d.message.contains("'k8s-app'"))
        #expect(d.message.contains("Kubernetes pods"))
        #expect(d.message.contains("'unit', 'slice', 'cgroup'"))
        #expect(!file.isUsable)
    }

    @Test func twoScopeLabelsAreAnError() throws {
        let file = Self.policy(labels: "{ unit: a.service, slice: b.slice }")
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (6, 37))
        #expect(d.message.contains("'unit' already scopes"))
    }

    @Test func matchExpressionsIsAnError() throws {
        let file = Fixtures.read(
            """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: { name: x }
            spec:
              endpointSelector:
                matchExpressions: [{ key: app, operator: In, values: [web] }]
              runtime:
                requirements:
                  - matchCapabilities: [CAP_NET_ADMIN]
                    matchActions: [deny]
            """)
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (6, 5))
        #expect(d.message.contains("'matchLabels'"))
    }
}
