import PortcullisCompiler
import PortcullisPolicy
import Testing

/// Locked mode refuses a generation that gives up anything the one in force
/// enforces (docs/enforcement.md, Tamper protection).
@Suite struct WeakeningTests {
    static let netAdmin = Capability(name: "CAP_NET_ADMIN")!
    static let kubectl = AllowRuleTests.exec(.exact("/usr/bin/kubectl"))

    static func rules(_ policies: [Policy]) throws -> [CompiledRule] {
        try PolicyCompiler.compile(policies, generation: 1).rules
    }

    static func policy(_ name: String, mode: Policy.Mode = .enforce, line: Int = 1, _ rules: [(Operation, Subject, Action)]) -> Policy {
        let at = SourceLocation(file: "\(name).yaml", line: line, column: 1)
        return Policy(
            name: name, source: at, mode: mode,
            rules: rules.map { Rule(operation: $0.0, subject: $0.1, action: $0.2, source: at) })
    }

    static let base = policy("base", [(kubectl, .everyone, .deny), (.capability([netAdmin]), .everyone, .audit)])

    @Test func theSameRulesWrittenElsewhereWeakenNothing() throws {
        let moved = Self.policy("base", line: 40, [(.capability([Self.netAdmin]), .everyone, .audit), (Self.kubectl, .everyone, .deny)])
        #expect(Weakening.of(try Self.rules([moved]), against: try Self.rules([Self.base])).isEmpty)
    }

    @Test func addingDenialsOrTurningAnAuditIntoADenyIsStronger() throws {
        let stronger = Self.policy(
            "base",
            [(Self.kubectl, .everyone, .deny), (.capability([Self.netAdmin]), .everyone, .deny),
             (AllowRuleTests.exec(.prefix("/tmp/")), .everyone, .deny)])
        #expect(Weakening.of(try Self.rules([stronger]), against: try Self.rules([Self.base])).isEmpty)
    }

    @Test func aRemovedFileRemovesItsRules() throws {
        let found = Weakening.of([], against: try Self.rules([Self.base]))
        #expect(found.map(\.kind) == [.removed, .removed])
        #expect(found.map(\.policy) == ["base", "base"])
        #expect(found[0].description == "policy base: rule removed or changed: exec /usr/bin/kubectl")
    }

    @Test func anAuditModePolicyRelaxesItsDenials() throws {
        let audit = Self.policy("base", mode: .audit, [(Self.kubectl, .everyone, .deny), (.capability([Self.netAdmin]), .everyone, .audit)])
        #expect(Weakening.of(try Self.rules([audit]), against: try Self.rules([Self.base])).map(\.kind) == [.relaxed])
    }

    @Test func aNewExceptionOrAllowWeakens() throws {
        let excepted = Subject(except: [Subject(uids: [0])])
        let withExcept = Self.policy("base", [(Self.kubectl, excepted, .deny), (.capability([Self.netAdmin]), .everyone, .audit)])
        #expect(Weakening.of(try Self.rules([withExcept]), against: try Self.rules([Self.base])).map(\.kind) == [.removed])
        let withAllow = Self.policy(
            "base",
            [(Self.kubectl, .everyone, .deny), (.capability([Self.netAdmin]), .everyone, .audit),
             (Self.kubectl, Subject(uids: [0]), .allow)])
        #expect(Weakening.of(try Self.rules([withAllow]), against: try Self.rules([Self.base])).map(\.kind) == [.allowAdded])
    }

    @Test func aRuleMovedToAnotherPolicyCountsAsRemoved() throws {
        // An allow only lifts its own policy's denials, so the policy is part of a rule's identity.
        let renamed = Self.policy("other", [(Self.kubectl, .everyone, .deny), (.capability([Self.netAdmin]), .everyone, .audit)])
        #expect(Weakening.of(try Self.rules([renamed]), against: try Self.rules([Self.base])).count == 2)
    }
}
