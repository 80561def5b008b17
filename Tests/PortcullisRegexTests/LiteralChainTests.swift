import PropertyBased
import Testing
@testable import PortcullisRegex

@Suite("Literal chains: ^ and a run of byte sets, built without subset construction")
struct LiteralChainTests {
    /// A random chain pattern: '^', atoms over the test alphabet (literals,
    /// escapes, classes, '.', a two-byte character), and maybe '$'.
    static func chainPattern(_ values: [Int]) -> String {
        var chooser = Chooser(values)
        var pattern = "^"
        for _ in 0..<chooser.pick(12) {
            switch chooser.pick(10) {
            case 0: pattern += "."
            case 1: pattern += "[ab]"
            case 2: pattern += #"\d"#
            case 3: pattern += "é"
            case 4: pattern += "(?:a)"
            case 5: pattern += #"[^\s\S]"#  // the empty set: never matches
            default:
                let c = alphabet[chooser.pick(alphabet.count)]
                pattern += c.isLetter || c.isNumber ? String(c) : "\\" + String(c)
            }
        }
        if chooser.pick(2) == 1 { pattern += "$" }
        return pattern
    }

    @Test func chainsAreTheMinimalDFAOfSubsetConstruction() async throws {
        let others = ["[a-c]+", "/", #"\w"#, "1"]
        await propertyCheck(count: 500, input: Gen.int(in: 0...999).array(of: 0...30), Gen.int(in: 0...4)) { values, extra in
            let pattern = Self.chainPattern(values)
            let node = try! RegexPattern.parse(pattern)
            // Byte classes refined by other patterns too, as in a policy.
            var sets: Set<ByteSet> = [.all]
            node.collectByteSets(into: &sets)
            for other in others.prefix(extra) { try! RegexPattern.parse(other).collectByteSets(into: &sets) }
            let classes = ByteClasses(refining: sets)
            let reference = try! SubsetConstruction.build(
                NFA(searching: node), id: 7, classes: classes, stateLimit: 1000
            ).minimized()
            guard let chain = LiteralChain(node) else {
                #expect(pattern.contains(#"[^\s\S]"#), "\(pattern) is a chain")
                return
            }
            #expect(chain.dfa(id: 7, classes: classes) == reference, "\(pattern)")
        }
    }

    @Test func chainsFitTheCapExactlyWhenSubsetConstructionDoes() async throws {
        await propertyCheck(count: 200, input: Gen.int(in: 0...999).array(of: 0...30)) { values in
            let pattern = Self.chainPattern(values)
            let node = try! RegexPattern.parse(pattern)
            let classes = ByteClasses(refining: { var s: Set<ByteSet> = [.all]; node.collectByteSets(into: &s); return s }())
            for limit in 1...20 {
                let subset = try? SubsetConstruction.build(NFA(searching: node), id: 0, classes: classes, stateLimit: limit)
                let compiled = try? DFACompiler.compile([(id: 0, pattern: pattern)], stateLimit: limit)
                #expect((subset == nil) == (compiled == nil), "\(pattern) under a cap of \(limit)")
            }
        }
    }

    @Test func onlyAnchoredRunsAreChains() throws {
        for pattern in ["^abc$", "^abc", "^", "^$", "^[a-z]/x.", "^(?:ab)(c)$", "^é$"] {
            #expect(LiteralChain(try RegexPattern.parse(pattern)) != nil, "\(pattern)")
        }
        for pattern in ["abc", "abc$", "^a|^b", "^a*", "^a?", "^a{2}", "a^b", "^a$b", "^$$", "^^a", #"^a[^\s\S]"#] {
            #expect(LiteralChain(try RegexPattern.parse(pattern)) == nil, "\(pattern)")
        }
        let exact = try #require(LiteralChain(try RegexPattern.parse("^ab$")))
        #expect(exact.sets == [ByteSet(UInt8(ascii: "a")), ByteSet(UInt8(ascii: "b"))])
        #expect(exact.anchoredAtEnd)
        #expect(try #require(LiteralChain(try RegexPattern.parse("^ab"))).anchoredAtEnd == false)
    }
}
