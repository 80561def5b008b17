import PortcullisYAML
import Testing

/// Keys, anchors, aliases, limits.
@Suite struct StructureTests {
    @Test func duplicateKey() throws {
        let text = "apiVersion: v1\nkind: P\nspec: {}\nmetadata: {}\nspec: 2\n"
        let error = try #require(parseError(text, file: "dup.yaml"))
        #expect(error.description == "dup.yaml:5:1: duplicate key 'spec' (first at 3:1)")
    }

    @Test func duplicateKeyInFlowMapping() throws {
        let error = try #require(parseError("x: {a: 1, a: 2}\n"))
        #expect(error.mark == mark(1, 11))
        #expect(error.message == "duplicate key 'a' (first at 1:5)")
    }

    @Test func duplicateKeyNested() throws {
        let error = try #require(parseError("spec:\n  runtime: 1\n  other: 2\n  runtime: 3\n"))
        #expect(error.message == "duplicate key 'runtime' (first at 2:3)")
        #expect(error.mark == mark(4, 3))
    }

    /// `a` and `"a"` are the same key: quoting does not make a second one.
    @Test func duplicateKeyDespiteQuoting() throws {
        let error = try #require(parseError("a: 1\n\"a\": 2\n"))
        #expect(error.message == "duplicate key 'a' (first at 1:1)")
    }

    @Test func duplicateKeyThroughAlias() throws {
        let error = try #require(parseError("&k a: 1\n*k : 2\n"))
        #expect(error.mark == mark(2, 1))
        #expect(error.message == "duplicate key 'a' (first at 1:1)")
    }

    @Test func sameKeyInDifferentMappingsIsFine() throws {
        let root = try single("a: {x: 1}\nb: {x: 2}\n")
        #expect(shape(root) == "{a: {x: 1}, b: {x: 2}}")
    }

    /// Keys in messages are escaped, so a key cannot inject lines into logs.
    @Test func duplicateKeyIsEscapedInMessages() throws {
        let error = try #require(parseError("\"a\\nb\": 1\n\"a\\nb\": 2\n"))
        #expect(error.message == "duplicate key 'a\\nb' (first at 1:1)")
    }

    @Test func sequenceAsKey() throws {
        let error = try #require(parseError("? [a, b]\n: c\n"))
        #expect(error.mark == mark(1, 3))
        #expect(error.message == "mapping keys must be scalars, found a sequence")
    }

    @Test func mappingAsFlowKey() throws {
        let error = try #require(parseError("{{a: 1}: x}\n"))
        #expect(error.mark == mark(1, 2))
        #expect(error.message == "mapping keys must be scalars, found a mapping")
    }

    @Test func aliasToSequenceAsKey() throws {
        let error = try #require(parseError("x: &s [1]\n? *s\n: 2\n"))
        #expect(error.mark == mark(2, 3))
        #expect(error.message == "mapping keys must be scalars, found a sequence")
    }

    @Test func mergeKeyIsRejected() throws {
        let error = try #require(parseError("base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n"))
        #expect(error.mark == mark(3, 3))
        #expect(error.message == "merge keys ('<<') are not supported; write the keys out in full")
        #expect(parseError("a:\n  !!merge x: 1\n")?.mark == mark(2, 3))
    }

    /// A quoted "<<" is an ordinary string key.
    @Test func quotedMergeKeyIsAString() throws {
        #expect(try single("'<<': 1\n").child("<<")?.string == "1")
    }

    @Test func aliasIsACopyMarkedWhereUsed() throws {
        let root = try single("base: &b {x: 1, y: [2]}\nuse: *b\n")
        #expect(shape(root) == "{base: {x: 1, y: [2]}, use: {x: 1, y: [2]}}")
        let base = try node(root, "base")
        let use = try node(root, "use")
        #expect(base.mark == mark(1, 7))  // the anchor
        #expect(use.mark == mark(2, 6))  // the alias
        #expect(use.pair("x")?.key.mark == mark(1, 11))  // inside: the definition
    }

    @Test func anchorRedefinitionUsesTheLatest() throws {
        let root = try single("a: &x 1\nb: &x 2\nc: *x\n")
        #expect(root.child("c")?.string == "2")
    }

    @Test func undefinedAlias() throws {
        let error = try #require(parseError("a: 1\nb: *nope\n"))
        #expect(error.mark == mark(2, 4))
        #expect(error.message == "undefined alias '*nope': no anchor '&nope' before it in this document")
    }

    @Test func anchorsDoNotCrossDocuments() throws {
        let error = try #require(parseError("a: &x 1\n---\nb: *x\n"))
        #expect(error.mark == mark(3, 4))
    }

    @Test func recursiveAlias() throws {
        let error = try #require(parseError("- &a [1, *a]\n"))
        #expect(error.mark == mark(1, 10))
        #expect(error.message == "alias '*a' refers to a node that contains it; recursive aliases are not allowed")
    }

    /// "Billion laughs": each line multiplies the previous by nine. The file is
    /// rejected at the first alias that takes it past 100,000 nodes, before
    /// anything big is built.
    @Test func aliasBomb() throws {
        var lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for (name, previous) in zip("bcdefghij", "abcdefghi") {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
        }
        let error = try #require(parseError(lines.joined(separator: "\n") + "\n", file: "bomb.yaml"))
        // After line 5 the file holds 74,738 nodes; line 6's first *e adds 66,430.
        #expect(error.mark == mark(6, 8))
        #expect(error.message.hasPrefix("the file expands to more than 100000 nodes"))
    }

    @Test func nodeLimitCountsAllDocuments() throws {
        let limits = YAMLReader.Limits(maxNodes: 10)
        #expect(try parse("a: 1\nb: 2\n", limits: limits).count == 1)  // 5 nodes
        let error = try #require(parseError("a: 1\nb: 2\n---\na: 1\nb: 2\n---\na: 1\n", limits: limits))
        #expect(error.mark == mark(7, 1))
    }

    @Test func depthLimitFlow() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try parse(ok).count == 1)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let error = try #require(parseError(deep))
        #expect(error.mark == mark(1, 65))
        #expect(error.message == "nesting is deeper than 64 levels")
    }

    @Test func depthLimitBlock() throws {
        func nested(_ levels: Int) -> String {
            (0..<levels).map { String(repeating: "  ", count: $0) + ($0 == levels - 1 ? "k: v" : "k:") }
                .joined(separator: "\n") + "\n"
        }
        #expect(try parse(nested(64)).count == 1)
        let error = try #require(parseError(nested(65)))
        #expect(error.mark == mark(65, 129))  // the innermost mapping starts at its key
    }

    /// Very deep input fails fast at the limit, without deep recursion anywhere.
    @Test func hugeNestingFailsCleanly() throws {
        let error = try #require(parseError(String(repeating: "[", count: 1_000_000)))
        #expect(error.mark == mark(1, 65))
        let blockError = try #require(parseError(String(repeating: "- ", count: 100_000) + "x\n"))
        #expect(blockError.mark == mark(1, 129))
    }

    /// An alias counts with the height of what it copies.
    @Test func depthLimitThroughAlias() throws {
        let limits = YAMLReader.Limits(maxDepth: 5)
        #expect(try parse("a: &a [[x]]\nb: [[*a]]\n", limits: limits).count == 1)
        let error = try #require(parseError("a: &a [[x]]\nc: [[[*a]]]\n", limits: limits))
        #expect(error.mark == mark(2, 7))
        #expect(error.message == "alias '*a' makes nesting deeper than 5 levels")
    }

    /// A `\0` escape would put a NUL into a string that may reach a C API as a path.
    @Test func nulEscapeIsRejected() throws {
        let error = try #require(parseError("path: \"/usr/bin/kubectl\\0.txt\"\n"))
        #expect(error.mark == mark(1, 7))
        #expect(error.message.contains("NUL"))
        #expect(parseError("a: \"\\x00\"\n") != nil)
        #expect(parseError("a: \"\\u0000\"\n") != nil)
    }
}
