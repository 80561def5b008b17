import PortcullisGeneration
import PortcullisPolicy
import Testing

/// Which version of each file a generation is made of.
@Suite struct ReconcilerTests {
    static func file(_ path: String, _ text: String) -> PolicyFile {
        PolicyReader.read(Array(text.utf8), file: path)
    }

    static func policy(_ name: String, _ exe: String) -> String {
        """
        apiVersion: portcullis/v1alpha1
        kind: Policy
        metadata: { name: \(name) }
        spec:
          rules:
            - exec: { path: \(exe) }
              action: deny
        """
    }

    @Test func aBrokenFileKeepsItsLastGoodVersion() {
        var r = Reconciler()
        let good = Self.file("/p/a.yaml", Self.policy("a", "/usr/bin/a"))
        _ = r.reconcile([good])
        let broken = Self.file("/p/a.yaml", "apiVersion: portcullis/v1alpha1\nkind: Policy\nmetadata: { name: a\n")
        let outcome = r.reconcile([broken])
        #expect(outcome.keptLastGood == ["/p/a.yaml"])
        #expect(outcome.files.first?.policies.first?.name == "a")
        #expect(outcome.diagnostics.contains { $0.severity == .error && $0.file == "/p/a.yaml" })
    }

    @Test func aBrokenNewFileIsRefusedAndADeletedFileForgotten() {
        var r = Reconciler()
        let outcome = r.reconcile([Self.file("/p/b.yaml", "kind: [")])
        #expect(outcome.refused == ["/p/b.yaml"])
        #expect(outcome.files.isEmpty)
        _ = r.reconcile([Self.file("/p/a.yaml", Self.policy("a", "/x"))])
        _ = r.reconcile([])
        #expect(r.lastGood.isEmpty)
        // Deleted then broken: no last good version survives the deletion.
        #expect(r.reconcile([Self.file("/p/a.yaml", "kind: [")]).refused == ["/p/a.yaml"])
    }

    @Test func aPolicyNameDefinedTwiceNamesBothFiles() {
        var r = Reconciler()
        let outcome = r.reconcile([
            Self.file("/p/a.yaml", Self.policy("same", "/x")), Self.file("/p/b.yaml", Self.policy("same", "/y")),
        ])
        let clash = outcome.diagnostics.first { $0.message.contains("already defined") }
        #expect(clash?.file == "/p/b.yaml")
        #expect(clash?.message.contains("/p/a.yaml") == true)
        #expect(outcome.files.map(\.path) == ["/p/a.yaml"])
    }

    @Test func policyFileNamesFilterEditorAndPackageLeftovers() {
        for name in ["a.yaml", "b.yml", "10-web.yaml"] { #expect(PolicyDirectory.isPolicyFile(name), "\(name)") }
        for name in [".a.yaml", "a.yaml~", "a.yaml.swp", ".a.yaml.swp", "a.yaml.dpkg-new", "a.yaml.ucf-dist", "a.json", "yaml"] {
            #expect(!PolicyDirectory.isPolicyFile(name), "\(name)")
        }
    }
}

@Suite struct EmptiedFileTests {
    @Test func aFileEmptiedMidWriteKeepsItsLastGoodVersion() {
        var r = Reconciler()
        _ = r.reconcile([ReconcilerTests.file("/p/a.yaml", ReconcilerTests.policy("a", "/usr/bin/a"))])
        let outcome = r.reconcile([ReconcilerTests.file("/p/a.yaml", "")])
        #expect(outcome.keptLastGood == ["/p/a.yaml"])
        #expect(outcome.files.first?.policies.first?.name == "a")
        // A new empty file has no last good version: it is used (and warned about) as it is.
        #expect(r.reconcile([ReconcilerTests.file("/p/b.yaml", "")]).files.map(\.path) == ["/p/b.yaml"])
    }
}
