import PortcullisYAML
import Testing

/// libyaml's scanner and parser errors, with the marks libyaml actually reports.
@Suite struct SyntaxErrorTests {
    @Test func badIndentReportsTheOffendingKey() throws {
        let text = """
            apiVersion: v1
            kind: Policy
            metadata:
              name: x
            spec:
                runtime: a
              extra: b

            """
        let error = try #require(parseError(text, file: "p.yaml"))
        #expect(error.mark == mark(7, 3))
        #expect(error.file == "p.yaml")
        #expect(
            error.description
                == "p.yaml:7:3: did not find expected key (while parsing a block mapping that starts at 1:1); check the indentation")
    }

    @Test func badIndentInSequence() throws {
        let error = try #require(parseError("a:\n  - x\n  b: 1\n"))
        #expect(error.mark == mark(3, 3))
        #expect(
            error.message
                == "did not find expected '-' indicator (while parsing a block collection that starts at 2:3); check the indentation")
    }

    @Test func tabIndentation() throws {
        let error = try #require(parseError("spec:\n\truntime: a\n"))
        #expect(error.mark == mark(2, 1))
        #expect(error.message == "tab character where indentation or a token is expected; indent with spaces, not tabs")
    }

    @Test func tabIndentationDeepInAPolicy() throws {
        let text =
            "spec:\n  runtime:\n    requirements:\n      - matchActions:\n          - deny\n        matchProcesses:\n\t- pathRegex: x\n"
        let error = try #require(parseError(text))
        #expect(error.mark == mark(7, 1))
        #expect(error.message.contains("indent with spaces"))
    }

    /// A tab after a plain value's line is libyaml's other tab error.
    @Test func tabAfterPlainScalar() throws {
        let error = try #require(parseError("key: value\n\tother: 1\n"))
        #expect(error.mark == mark(2, 1))
        #expect(
            error.message
                == "tab character in indentation (while scanning a plain scalar that starts at 1:6); indent with spaces, not tabs")
    }

    /// Tabs inside values and after the indentation are fine.
    @Test func tabsAsSeparatorsAreFine() throws {
        let root = try single("a:\t1\nb: \"x\ty\"\n")
        #expect(root.child("a")?.string == "1")
        #expect(root.child("b")?.string == "x\ty")
    }

    /// libyaml reports the end of the file; we report the opening quote.
    @Test func unterminatedDoubleQuote() throws {
        let text = "spec:\n  description: \"Block execution\n  other: 1\n"
        let error = try #require(parseError(text, file: "q.yaml"))
        #expect(error.mark == mark(2, 16))
        #expect(error.description == "q.yaml:2:16: unterminated quoted string: the file ends before its closing quote")
    }

    @Test func unterminatedSingleQuote() throws {
        let error = try #require(parseError("a: 'abc"))
        #expect(error.mark == mark(1, 4))
        #expect(error.message.hasPrefix("unterminated quoted string"))
    }

    @Test func unclosedFlowSequence() throws {
        let error = try #require(parseError("spec:\n  list: [a, b\n  other: 1\n"))
        #expect(error.mark == mark(3, 8))
        #expect(error.message == "did not find expected ',' or ']' (while parsing a flow sequence that starts at 2:9)")
    }

    @Test func unclosedFlowMappingAtEndOfFile() throws {
        let error = try #require(parseError("a: {b: 1\n"))
        #expect(error.mark == mark(2, 1))
        #expect(error.message == "did not find expected ',' or '}' (while parsing a flow mapping that starts at 1:4)")
    }

    /// libyaml says line 2, column 1 (it acts as if a line break ended the file);
    /// we clamp to the real end of the text.
    @Test func errorAtEndOfFileWithoutNewline() throws {
        #expect(parseError("a: [")?.mark == mark(1, 5))
        #expect(parseError("a: [\n")?.mark == mark(2, 1))  // with the newline, line 2 exists
        #expect(parseError("a: 1\nb: {x: 1")?.mark == mark(2, 9))
    }

    @Test func colonInsidePlainValue() throws {
        let error = try #require(parseError("a: b: c\n"))
        #expect(error.mark == mark(1, 5))
        #expect(
            error.message
                == "mapping values are not allowed in this context; check the indentation, or quote a value that contains ': '")
    }

    @Test func reservedIndicator() throws {
        let error = try #require(parseError("a: @x\n"))
        #expect(error.mark == mark(1, 4))
        #expect(error.message == "found character '@' that cannot start any token; quote the value")
    }

    @Test func unknownEscape() throws {
        let error = try #require(parseError("a: \"\\q\"\n"))
        #expect(error.mark == mark(1, 5))
        #expect(error.message == "found unknown escape character (while parsing a quoted scalar that starts at 1:4)")
    }

    /// Columns count characters, not bytes.
    @Test func columnsCountCharacters() throws {
        let error = try #require(parseError("héé: x: 1\n"))
        #expect(error.mark == mark(1, 7))
    }

    @Test func errorInSecondDocument() throws {
        let error = try #require(parseError("a: 1\n---\nb: [\n"))
        #expect(error.mark == mark(4, 1))
    }

    @Test func contentAfterDocumentEnd() throws {
        let error = try #require(parseError("a: 1\n...\nb\n"))
        #expect(error.mark == mark(3, 1))
        #expect(error.message == "did not find expected <document start>")
    }
}
