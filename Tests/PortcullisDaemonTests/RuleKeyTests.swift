import PortcullisCompiler
import PortcullisPolicy
import Testing

/// Rule keys name a rule across generations: its policy and its place there.
@Suite struct RuleKeyTests {
    static func policy(_ name: String, _ paths: [String]) -> String {
        """
        apiVersion: portcullis/v1alpha1
        kind: Policy
        metadata: { name: \(name) }
        spec:
          rules:
        \(paths.map { "    - exec: { path: \($0) }\n      action: deny" }.joined(separator: "\n"))

        """
    }

    static func keys(_ texts: [String]) throws -> [String: [RuleKey]] {
        let policies = texts.enumerated().flatMap { i, text in PolicyReader.read(Array(text.utf8), file: "f\(i).yaml").policies }
        let compiled = try PolicyCompiler.compile(policies, generation: 1)
        return Dictionary(grouping: zip(compiled.rules, RuleKey.keys(of: compiled.rules)), by: { $0.0.policy })
            .mapValues { $0.map(\.1) }
    }

    @Test func aRuleKeepsItsKeyWhenOtherPoliciesChange() throws {
        let a = Self.policy("a", ["/bin/a1", "/bin/a2"])
        let before = try Self.keys([a])
        let after = try Self.keys([Self.policy("b", ["/bin/b1"]), a])
        #expect(before["a"] == after["a"])
        #expect(Set(after["b"]!).isDisjoint(with: Set(after["a"]!)))
    }

    @Test func keysDifferByPlaceAndPolicy() throws {
        let keys = try Self.keys([Self.policy("a", ["/x", "/y"]), Self.policy("ab", ["/x"])])
        let all = keys.values.flatMap { $0 }
        #expect(Set(all).count == all.count)
        #expect(RuleKey(policy: "a", place: 1) != RuleKey(policy: "a", place: 0))
        #expect(RuleKey(policy: "a", place: 0).description.count == 16)
    }

    @Test func theImageCarriesEachRuleKey() throws {
        let policies = PolicyReader.read(Array(Self.policy("a", ["/x", "/y"]).utf8), file: "f.yaml").policies
        let compiled = try PolicyCompiler.compile(policies, generation: 1)
        let words = compiled.image.words
        let table = Int(words[16])  // PC_HDR_RULES
        for (index, key) in RuleKey.keys(of: compiled.rules).enumerated() {
            let at = table + index * 8  // PC_RULE_WORDS
            #expect(UInt64(words[at + 3]) << 32 | UInt64(words[at + 2]) == key.rawValue)
        }
    }
}
