import PortcullisYAML
import Testing

/// The three policies our first users brought, read verbatim from /work/shared/seed.
@Suite struct SeedPolicyTests {
    @Test func blockKubectlExecution() throws {
        let documents = try YAMLReader.documents(
            in: try seedBytes("block-kubectl-execution.yaml"), file: "block-kubectl-execution.yaml")
        try #require(documents.count == 1)
        let root = documents[0]
        #expect(
            shape(root)
                == "{apiVersion: cilium.io/v1alpha1, kind: CiliumNetworkPolicy, metadata: {name: block-kubectl-execution}, "
                + "spec: {description: \"Block execution of kubectl inside pods\", endpointSelector: {}, "
                + "runtime: {requirements: [{matchProcesses: [{pathRegex: \"^/usr/bin/kubectl$\"}], matchActions: [deny]}]}}}")

        #expect(root.mark == mark(1, 1))
        #expect(root.pair("spec")?.key.mark == mark(5, 1))
        // A block mapping starts at its first key.
        #expect(try node(root, "spec").mark == mark(6, 3))
        let description = try node(root, "spec", "description")
        #expect(description.mark == mark(6, 16))
        #expect(description.scalarStyle == .doubleQuoted)
        // `{}` starts at the brace; the comment after it is not part of anything.
        let selector = try node(root, "spec", "endpointSelector")
        #expect(selector.mark == mark(7, 21))
        #expect(selector.mapping?.isEmpty == true)
        // A block sequence starts at its first '-', its item mapping at the first key.
        #expect(try node(root, "spec", "runtime", "requirements").mark == mark(10, 7))
        #expect(try node(root, "spec", "runtime", "requirements", 0).mark == mark(10, 9))
        let regex = try node(root, "spec", "runtime", "requirements", 0, "matchProcesses", 0, "pathRegex")
        #expect(regex.string == "^/usr/bin/kubectl$")
        #expect(regex.mark == mark(11, 24))
        let deny = try node(root, "spec", "runtime", "requirements", 0, "matchActions", 0)
        #expect(deny.string == "deny")  // "# Deny execution" is a comment
        #expect(deny.mark == mark(13, 13))
        #expect(deny.scalarStyle == .plain)
    }

    @Test func denyHostpathMount() throws {
        let documents = try YAMLReader.documents(
            in: try seedBytes("deny-hostpath-mount.yaml"), file: "deny-hostpath-mount.yaml")
        try #require(documents.count == 1)
        let root = documents[0]
        #expect(
            shape(root)
                == "{apiVersion: cilium.io/v1alpha1, kind: CiliumNetworkPolicy, metadata: {name: deny-hostpath-mount}, "
                + "spec: {description: \"Deny pods from mounting host paths\", endpointSelector: {}, "
                + "policyTypes: [Ingress, Egress], "
                + "egress: [{toPorts: [{ports: [{port: \"0\", protocol: TCP}]}], toEndpoints: [{matchLabels: {}}]}], "
                + "runtime: {requirements: [{matchCapabilities: [CAP_SYS_ADMIN], "
                + "matchProcesses: [{pathRegex: \"^/usr/bin/mount$\", argsRegex: \".*-o.*bind.*\"}], "
                + "matchActions: [deny]}]}}}")

        #expect(root.child("spec")?.mapping?.map { $0.key.string ?? "?" }
            == ["description", "endpointSelector", "policyTypes", "egress", "runtime"])
        // The warning about policyTypes/egress must be able to name their lines.
        #expect(root.child("spec")?.pair("policyTypes")?.key.mark == mark(8, 3))
        #expect(root.child("spec")?.pair("egress")?.key.mark == mark(11, 3))
        // After the full-line comment on line 18.
        #expect(root.child("spec")?.pair("runtime")?.key.mark == mark(19, 3))
        let port = try node(root, "spec", "egress", 0, "toPorts", 0, "ports", 0, "port")
        #expect(port.mark == mark(14, 21))
        #expect(port.string == "0")
        #expect(port.int == nil)  // quoted: a string, not a number
        #expect(try node(root, "spec", "egress", 0, "toPorts", 0, "ports", 0).pair("protocol")?.key.mark == mark(15, 15))
        let requirement = try node(root, "spec", "runtime", "requirements", 0)
        #expect(try node(requirement, "matchCapabilities", 0).mark == mark(22, 13))
        let args = try node(requirement, "matchProcesses", 0, "argsRegex")
        #expect(args.string == ".*-o.*bind.*")
        #expect(args.mark == mark(25, 24))
    }

    @Test func denyNetAdminCapability() throws {
        let documents = try YAMLReader.documents(
            in: try seedBytes("deny-net-admin-capability.yaml"), file: "deny-net-admin-capability.yaml")
        try #require(documents.count == 1)
        let root = documents[0]
        #expect(
            shape(root)
                == "{apiVersion: cilium.io/v1alpha1, kind: CiliumNetworkPolicy, metadata: {name: deny-net-admin-capability}, "
                + "spec: {description: \"Deny CAP_NET_ADMIN capability to pods\", endpointSelector: {}, "
                + "runtime: {requirements: [{matchCapabilities: [CAP_NET_ADMIN], matchActions: [deny]}]}}}")
        #expect(try node(root, "spec", "runtime", "requirements", 0, "matchCapabilities", 0).mark == mark(11, 13))
        #expect(try node(root, "spec", "runtime", "requirements", 0, "matchActions", 0).mark == mark(13, 13))
        #expect(try node(root, "spec", "endpointSelector").mark == mark(7, 21))
    }

    /// The seeds are all one document: concatenated with `---` they are three.
    @Test func seedsConcatenated() throws {
        var bytes: [UInt8] = []
        for name in ["block-kubectl-execution.yaml", "deny-hostpath-mount.yaml", "deny-net-admin-capability.yaml"] {
            bytes += Array("---\n".utf8) + (try seedBytes(name))
        }
        let documents = try YAMLReader.documents(in: bytes, file: "all.yaml")
        #expect(documents.map { $0.child("metadata")?.child("name")?.string }
            == ["block-kubectl-execution", "deny-hostpath-mount", "deny-net-admin-capability"])
        // Second document: 1 (---) + 13 lines + 1 (---) → its root starts on line 16.
        #expect(documents[1].mark == mark(16, 1))
    }
}
