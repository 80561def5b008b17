import PortcullisYAML
import Testing

/// Where libyaml says each kind of node starts (its event `start_mark`), pinned
/// down because every diagnostic of the policy layer points there.
@Suite struct MarkTests {
    @Test func blockMappingStartsAtItsFirstKey() throws {
        let root = try single("\n# comment\nspec:\n  runtime: a\n")
        #expect(root.mark == mark(3, 1))
        #expect(root.child("spec")?.mark == mark(4, 3))
    }

    /// With an anchor or tag, the node starts there, even on the line above its content.
    @Test func anchorOrTagStartsTheNode() throws {
        let root = try single("a: &x\n  b: 1\nc: !!map\n  d: 1\n")
        #expect(root.child("a")?.mark == mark(1, 4))
        #expect(root.child("c")?.mark == mark(3, 4))
    }

    @Test func sequenceItemsAndIndentlessSequences() throws {
        let root = try single("key:\n- a\nitems:\n  - k: v\n    k2: w\n")
        #expect(root.child("key")?.mark == mark(2, 1))  // at the '-'
        #expect(try node(root, "key", 0).mark == mark(2, 3))
        #expect(try node(root, "items", 0).mark == mark(4, 5))  // item mapping: at its key
    }

    @Test func explicitKeys() throws {
        let root = try single("? a\n: b\n")
        #expect(root.pair("a")?.key.mark == mark(1, 3))
        #expect(root.child("a")?.mark == mark(2, 3))
    }

    @Test func flowCollectionsStartAtTheBracket() throws {
        let root = try single("a: [x, {y: z}]\n")
        #expect(root.child("a")?.mark == mark(1, 4))
        #expect(try node(root, "a", 1).mark == mark(1, 8))
        #expect(try node(root, "a", 1).pair("y")?.key.mark == mark(1, 9))
    }

    /// Block scalars start at the indicator, not at their first text line.
    @Test func blockScalarsStartAtTheIndicator() throws {
        let root = try single("script: |\n  echo hi\n")
        #expect(root.child("script")?.mark == mark(1, 9))
    }

    @Test func sourceMarkOrderAndDescription() {
        #expect(mark(2, 1) > mark(1, 80))
        #expect(mark(3, 2) < mark(3, 10))
        #expect(mark(7, 3).description == "7:3")
        #expect(YAMLError(file: "f.yaml", mark: mark(7, 3), message: "m").description == "f.yaml:7:3: m")
    }
}
