import PortcullisYAML
import Testing

/// Scalars stay strings; the helpers type plain ones narrowly.
@Suite struct ScalarTests {
    private func value(_ yaml: String) throws -> YAMLNode {
        try #require(try single("v: \(yaml)\n").child("v"))
    }

    @Test func styles() throws {
        let root = try single("a: plain\nb: 'single'\nc: \"double\"\nd: |\n  line1\n  line2\ne: >-\n  folded\n  text\n")
        #expect(root.child("a")?.scalarStyle == .plain)
        #expect(root.child("b")?.scalarStyle == .singleQuoted)
        #expect(root.child("c")?.scalarStyle == .doubleQuoted)
        #expect(root.child("d")?.scalarStyle == .literal)
        #expect(root.child("d")?.string == "line1\nline2\n")
        #expect(root.child("e")?.scalarStyle == .folded)
        #expect(root.child("e")?.string == "folded text")
        #expect(root.child("d")?.mark == mark(4, 4))
    }

    @Test(arguments: ["", "~", "null", "Null", "NULL"])
    func nulls(_ text: String) throws {
        #expect(try value(text).isNull)
    }

    @Test(arguments: ["''", "\"\"", "'null'", "\"~\"", "nil", "NULl", "!!str", "!!str null", "none"])
    func notNulls(_ text: String) throws {
        #expect(try !value(text).isNull)
    }

    @Test func explicitNullTag() throws {
        #expect(try value("!!null null").isNull)
        #expect(try value("!!null").isNull)
    }

    /// `key:` with nothing after it: a plain empty scalar, marked just after the colon.
    @Test func emptyValueMark() throws {
        let root = try single("a:\nb: !!str\nc: &x\nd: &y !!int 5\n")
        #expect(root.child("a")?.isNull == true)
        #expect(root.child("a")?.mark == mark(1, 3))
        #expect(root.child("b")?.isNull == false)  // explicitly a string
        #expect(root.child("b")?.string == "")
        #expect(root.child("b")?.tag == "tag:yaml.org,2002:str")
        #expect(root.child("b")?.mark == mark(2, 4))  // at the tag
        #expect(root.child("c")?.isNull == true)
        #expect(root.child("c")?.mark == mark(3, 4))  // at the anchor
        #expect(root.child("d")?.int == 5)
        #expect(root.child("d")?.mark == mark(4, 4))
    }

    @Test(arguments: [("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false), ("FALSE", false)])
    func bools(_ text: String, _ expected: Bool) throws {
        #expect(try value(text).bool == expected)
    }

    /// The "Norway problem": YAML 1.1 booleans stay strings.
    @Test(arguments: ["no", "No", "NO", "yes", "Yes", "on", "off", "On", "OFF", "y", "n", "tRUE", "1", "0", "'true'", "\"false\"", "!!str true"])
    func notBools(_ text: String) throws {
        let node = try value(text)
        #expect(node.bool == nil)
        #expect(node.string != nil)
    }

    @Test func norway() throws {
        let root = try single("countries:\n  - se\n  - no\n")
        #expect(try node(root, "countries", 1).string == "no")
        #expect(try node(root, "countries", 1).bool == nil)
    }

    @Test(arguments: [
        ("0", 0), ("42", 42), ("-7", -7), ("+3", 3), ("-0", 0), ("0x1F", 31), ("0xff", 255), ("0x0", 0),
        ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min), ("0x7FFFFFFFFFFFFFFF", Int.max),
        ("!!int 12", 12),
    ])
    func ints(_ text: String, _ expected: Int) throws {
        #expect(try value(text).int == expected)
    }

    @Test(arguments: [
        "9223372036854775808", "-9223372036854775809", "0x8000000000000000", "99999999999999999999",
        "0755", "00", "-01", "1_000", "1.0", "1e3", "0o17", "0X1F", "-0x1", "+0x1", "0x", "0xg", "-a", "+", "",
        "'5'", "\"5\"", "!!str 5", "5 apples", "٣", "１",
    ])
    func notInts(_ text: String) throws {
        #expect(try value(text).int == nil)
    }

    @Test func collectionsAreNotScalars() throws {
        let root = try single("s: [1]\nm: {}\n")
        for key in ["s", "m"] {
            let node = try #require(root.child(key))
            #expect(node.string == nil)
            #expect(node.int == nil)
            #expect(node.bool == nil)
            #expect(!node.isNull)
            #expect(node.scalarStyle == nil)
        }
        #expect(root.child("s")?.kindName == "sequence")
        #expect(root.child("m")?.kindName == "mapping")
        #expect(root.child("s")?.mapping == nil)
        #expect(root.child("m")?.sequence == nil)
    }

    @Test func tagsAreKept() throws {
        let root = try single("a: !foo x\nb: ! y\nc: !<tag:example.com,2024:z> z\nd: !!str 1\ne: !!map {}\n")
        #expect(root.child("a")?.tag == "!foo")
        #expect(root.child("b")?.tag == "!")
        #expect(root.child("b")?.string == "y")
        #expect(root.child("c")?.tag == "tag:example.com,2024:z")
        #expect(root.child("d")?.tag == "tag:yaml.org,2002:str")
        #expect(root.child("d")?.int == nil)
        #expect(root.child("e")?.tag == "tag:yaml.org,2002:map")
        #expect(root.child("a")?.tag != nil && root.pair("a")?.key.tag == nil)
    }

    @Test func multiLinePlainAndQuotedScalars() throws {
        let root = try single("a: one\n  two\nb: \"x\\ty\\u00e9\"\nc: 'it''s'\n")
        #expect(root.child("a")?.string == "one two")
        #expect(root.child("b")?.string == "x\tyé")
        #expect(root.child("c")?.string == "it's")
    }
}
