import PortcullisPolicy
import Testing

@Suite struct PolicyReaderTests {
    @Test func aNameDefinedTwiceInOneFileIsAnError() throws {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules: [{ capability: [CAP_SYS_ADMIN], action: deny }]
            ---
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata: { name: p }
            spec:
              lsmhooks: [{ hook: capable }]
            """, file: "two.yaml")
        let d = try #require(file.diagnostics.first)
        #expect(d.severity == .error)
        #expect(d.file == "two.yaml")
        #expect((d.line, d.column) == (11, 3))
        #expect(d.message.contains("'p' is already defined in this file, at line 5"))
        #expect(!file.isUsable)
    }

    @Test func unsupportedKindListsTheThreeFormats() throws {
        let file = Fixtures.read("apiVersion: v1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec: {}\n")
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (2, 7))
        #expect(d.message.contains("'Policy', 'CiliumNetworkPolicy', 'TracingPolicy'"))
    }

    @Test func tracingPolicyNeedsItsApiVersion() throws {
        let file = Fixtures.read(
            "apiVersion: cilium.io/v2\nkind: TracingPolicy\nmetadata: { name: p }\nspec: {}\n")
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (1, 13))
        #expect(d.message.contains("'cilium.io/v1alpha1'"))
    }
}
