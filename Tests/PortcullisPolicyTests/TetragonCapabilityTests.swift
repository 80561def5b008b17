import PortcullisPolicy
import Testing

/// The capability argument (index 2 of `capable` and of `cap_capable`), as Tetragon reads it:
/// `type: int` is compared by number; `type: capability` names it in Tetragon's events,
/// and Tetragon refuses `matchArgs` on it.
@Suite struct TetragonCapabilityTests {
    /// An entry (`lsmhooks` or `kprobes`) on line 6 whose capability argument has `type`,
    /// with a selector matching `values` on it.
    static func policy(_ section: String, type: String, values: String) -> PolicyFile {
        let head = section == "kprobes" ? "call: cap_capable\n    syscall: false" : "hook: capable"
        return Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata: { name: p }
            spec:
              \(section):
              - \(head)
                args: [{ index: 2, type: \(type) }]
                selectors:
                - matchArgs: [{ index: 2, operator: Equal, values: \(values) }]
                  matchActions: [{ action: Sigkill }]
            """)
    }

    static func capabilities(_ names: String...) -> Operation {
        .capability(names.map { Capability(name: $0)! })
    }

    /// Tetragon reads an `int` value as Go's ParseInt with base 0 does.
    @Test(arguments: ["lsmhooks", "kprobes"])
    func numbersAreReadAsTetragonReadsThem(section: String) throws {
        let file = Self.policy(section, type: "int", values: #"["12", 21, "0x13", "014", "0o27", "0b10"]"#)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rule = try #require(file.policies.first?.rules.first)
        #expect(
            rule.operation
                == Self.capabilities(
                    "NET_ADMIN", "SYS_ADMIN", "SYS_PTRACE", "NET_ADMIN", "SYS_NICE", "DAC_READ_SEARCH"))
        #expect(rule.action == .deny)
    }

    @Test(arguments: ["1_2", "12a", "--12", "41", "0x", "08"])
    func otherNumbersAreRefused(value: String) throws {
        let file = Self.policy("lsmhooks", type: "int", values: "[\"\(value)\"]")
        #expect(!file.isUsable)
        let d = try #require(file.diagnostics.first { $0.severity == .error })
        #expect((d.line, d.column) == (9, 57))
        #expect(d.message.contains("is not a capability number from 0 to 40"))
    }

    /// Tetragon's `int` takes no names; the error gives the number.
    @Test func nameIsRefusedWithItsNumber() throws {
        let file = Self.policy("kprobes", type: "int", values: "[CAP_NET_RAW]")
        #expect(!file.isUsable)
        let d = try #require(file.diagnostics.first { $0.severity == .error })
        #expect(d.message.contains("CAP_NET_RAW is 13"))
        #expect(d.message.hasSuffix("portcullis reads `call: cap_capable` as `lsmhooks: - hook: capable`"))
    }

    /// `type: capability` is accepted where Tetragon accepts it: to declare the argument.
    @Test(arguments: ["lsmhooks", "kprobes"])
    func capabilityTypeIsDeclarable(section: String) throws {
        let head = section == "kprobes" ? "call: cap_capable\n    syscall: false" : "hook: capable"
        let file = Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata: { name: p }
            spec:
              \(section):
              - \(head)
                args: [{ index: 0, type: cred }, { index: 1, type: user_namespace }, { index: 2, type: capability }]
                selectors:
                - matchBinaries: [{ operator: In, values: [/usr/bin/unshare] }]
                  matchActions: [{ action: Sigkill }]
            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rule = try #require(file.policies.first?.rules.first)
        #expect(rule.operation == .capability(Capability.validNames.map { Capability(name: $0)! }))
        #expect(rule.subject == Subject(executables: [.exact("/usr/bin/unshare")]))
        #expect(rule.action == .deny)
    }

    /// Tetragon refuses `matchArgs` on a `capability` argument ("MatchArgs type capability
    /// unsupported"), by name or by number: so does portcullis, naming `type: int`.
    @Test(arguments: ["[CAP_SYS_ADMIN]", "[\"21\"]"])
    func matchingACapabilityTypedArgumentIsRefused(values: String) throws {
        let file = Self.policy("lsmhooks", type: "capability", values: values)
        #expect(!file.isUsable)
        let d = try #require(file.diagnostics.first { $0.severity == .error })
        #expect((d.line, d.column) == (9, 28))
        #expect(d.message.contains("declared as 'capability'"))
        #expect(d.message.contains("'{ index: 2, type: int }'"))
    }
}
