import PortcullisPolicy
import Testing

@Suite struct DiagnosticTests {
    @Test func unknownKeyNamesLineColumnAndValidKeys() {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - exec: { path: /usr/bin/kubectl }
                  acton: deny
            """)
        let d = file.diagnostics.first { $0.message.contains("acton") }
        #expect(d?.line == 7)
        #expect(d?.column == 7)
        #expect(d?.field == "spec.rules[0].acton")
        #expect(d?.message.contains("'action'") == true)
        #expect(!file.isUsable)
    }

    @Test func badRegexPointsAtTheOffendingCharacter() {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - exec: { pathRegex: "^/usr/bin/(kube" }
                  action: deny
            """)
        let d = file.diagnostics.first
        #expect(d?.severity == .error)
        #expect(d?.line == 6)
        // The quote opens at column 26; the unclosed '(' is 10 characters into the pattern.
        #expect(d?.column == 37)
        #expect(d?.message.contains("regular expression") == true)
    }

    @Test func yamlSyntaxErrorsCarryTheirMark() {
        let file = Fixtures.read("kind: Policy\nmetadata:\n  name: \"open\n", file: "broken.yaml")
        let d = file.diagnostics.first
        #expect(d?.severity == .error)
        #expect(d?.file == "broken.yaml")
        #expect((d?.line ?? 0) >= 3)
    }

    @Test func unknownCapabilityIsAnError() {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - capability: [CAP_NET_ADMN]
                  action: deny
            """)
        #expect(file.diagnostics.first?.message.contains("CAP_NET_ADMN") == true)
        #expect(file.diagnostics.first?.line == 6)
    }

    @Test func relativeExecPathIsAnError() {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - exec: { path: kubectl }
                  action: deny
            """)
        #expect(file.diagnostics.first?.message.contains("absolute") == true)
    }

    @Test func unsupportedKindListsTheValidOnes() {
        let file = Fixtures.read("apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec: {}\n")
        #expect(file.diagnostics.first?.line == 2)
        #expect(file.diagnostics.first?.message.contains("'Policy'") == true)
    }
}
