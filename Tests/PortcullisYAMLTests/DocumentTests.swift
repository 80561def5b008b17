import PortcullisYAML
import Testing

/// Streams: several documents, none, empty ones.
@Suite struct DocumentTests {
    @Test func multipleDocuments() throws {
        let documents = try parse("a: 1\n---\nb: 2\n...\n--- c\n")
        #expect(documents.map(shape) == ["{a: 1}", "{b: 2}", "c"])
        #expect(documents.map(\.mark) == [mark(1, 1), mark(3, 1), mark(5, 5)])
    }

    @Test func emptyFile() throws {
        #expect(try parse("").isEmpty)
        #expect(try YAMLReader.documents(in: [], file: "empty.yaml").isEmpty)
    }

    @Test func blankFile() throws {
        #expect(try parse("\n\n   \n").isEmpty)
    }

    @Test func commentOnlyFile() throws {
        #expect(try parse("# nothing here yet\n  # indented comment\n\n# end").isEmpty)
    }

    /// An explicit `---` with nothing after it is one document holding null.
    @Test func explicitEmptyDocument() throws {
        let documents = try parse("# header\n---\n")
        try #require(documents.count == 1)
        #expect(documents[0].isNull)
        #expect(documents[0].mark == mark(3, 1))
        #expect(try parse("---\n---\n").count == 2)
        // Without the final newline the null is marked at the end of the text.
        #expect(try parse("---").map(\.mark) == [mark(1, 4)])
    }

    @Test func directivesAreAccepted() throws {
        let documents = try parse("%YAML 1.1\n--- a\n")
        #expect(documents.map(shape) == ["a"])
    }

    @Test func topLevelScalarAndSequence() throws {
        #expect(try parse("hello").map(shape) == ["hello"])
        #expect(try parse("- a\n- 'b'\n").map(shape) == ["[a, 'b']"])
    }

    /// CR LF line endings count as one line break.
    @Test func crlfLineEndings() throws {
        let root = try single("a: 1\r\nb:\r\n  - x\r\n")
        #expect(shape(root) == "{a: 1, b: [x]}")
        #expect(try node(root, "b", 0).mark == mark(3, 5))
    }

    /// A UTF-8 byte order mark is skipped and does not shift columns.
    @Test func utf8ByteOrderMark() throws {
        let documents = try YAMLReader.documents(in: [0xEF, 0xBB, 0xBF] + Array("a: 1\n".utf8), file: "bom.yaml")
        #expect(documents.map(shape) == ["{a: 1}"])
        #expect(documents[0].child("a")?.mark == mark(1, 4))
    }
}
