import PortcullisPolicy
import Testing

/// Tetragon kprobes on the kernel functions behind an LSM hook, shaped like Tetragon's own
/// examples (examples/tracingpolicy/security_bprm_check.yaml,
/// process-credentials/creds-capability-usage.yaml), read as the `lsmhooks` form.
@Suite struct TetragonKprobeTests {
    /// A TracingPolicy with one entry in `section`: `head` is its first line, `body` the
    /// rest, indented by four spaces. The entry starts on line 6, column 5.
    static func policy(_ section: String, _ head: String, _ body: String) -> PolicyFile {
        Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata: { name: p }
            spec:
              \(section):
              - \(head)
            \(body)
            """)
    }

    /// The rules without where they were written, to compare two forms of one policy.
    static func meaning(_ file: PolicyFile) -> [Rule] {
        (file.policies.first?.rules ?? []).map {
            var rule = $0
            rule.source = SourceLocation(file: "", line: 0, column: 0)
            return rule
        }
    }

    struct Form: CustomTestStringConvertible, Sendable {
        var call: String
        var hook: String
        /// `args` and `selectors`, shared by both forms.
        var body: String
        /// The actions of the kprobe form, where they differ from the hook's.
        var kprobeBody: String? = nil
        var expected: [Operation]
        var testDescription: String { call }
    }

    static let forms = [
        Form(
            call: "security_bprm_check", hook: "bprm_check_security",
            body: """
                    args:
                    - index: 0
                      type: "linux_binprm"
                    selectors:
                    - matchBinaries:
                      - operator: "NotIn"
                        values: ["/usr/bin/dpkg"]
                      matchArgs:
                      - index: 0
                        operator: "Prefix"
                        values: ["/tmp/", "/dev/shm/"]
                      matchActions:
                      - action: Sigkill
                    - matchArgs:
                      - index: 0
                        operator: "Equal"
                        values: ["/usr/bin/sample-exec"]
                """,
            expected: [
                .exec(paths: [.prefix("/tmp/"), .prefix("/dev/shm/")], args: nil),
                .exec(paths: [.exact("/usr/bin/sample-exec")], args: nil),
            ]),
        Form(
            call: "security_sb_mount", hook: "sb_mount",
            body: """
                    args:
                    - index: 0
                      type: "string"
                    - index: 1
                      type: "path"
                    - index: 2
                      type: "string"
                    selectors:
                    - matchArgs:
                      - index: 1
                        operator: "Prefix"
                        values: ["/etc"]
                      - index: 2
                        operator: "Equal"
                        values: ["overlay"]
                      matchActions:
                      - action: Override
                        argError: -1
                """,
            expected: [.mount(MountMatch(targets: [.prefix("/etc")], fsTypes: ["overlay"]))]),
        Form(
            call: "cap_capable", hook: "capable",
            body: """
                    args:
                    - index: 1
                      type: "user_namespace"
                    - index: 2
                      type: "int"
                    selectors:
                    - matchBinaries:
                      - operator: "In"
                        values: ["/usr/sbin/ip"]
                      matchArgs:
                      - index: 2
                        operator: "Equal"
                        values: ["12"]
                      matchActions:
                      - action: Override
                """,
            // Tetragon overrides no function outside `security_`: on cap_capable, Sigkill.
            kprobeBody: """
                    args:
                    - index: 1
                      type: "user_namespace"
                    - index: 2
                      type: "int"
                    selectors:
                    - matchBinaries:
                      - operator: "In"
                        values: ["/usr/sbin/ip"]
                      matchArgs:
                      - index: 2
                        operator: "Equal"
                        values: ["12"]
                      matchActions:
                      - action: Sigkill
                """,
            expected: [.capability([Capability(name: "CAP_NET_ADMIN")!])]),
    ]

    @Test(arguments: forms)
    func kprobeReadsAsItsLSMHook(form: Form) throws {
        let kprobe = Self.policy("kprobes", "call: \"\(form.call)\"\n    syscall: false", form.kprobeBody ?? form.body)
        let hook = Self.policy("lsmhooks", "hook: \"\(form.hook)\"", form.body)
        #expect(kprobe.diagnostics.isEmpty, "\(kprobe.diagnostics)")
        #expect(hook.diagnostics.isEmpty, "\(hook.diagnostics)")
        #expect(Self.meaning(kprobe).map(\.operation) == form.expected)
        #expect(Self.meaning(kprobe).first?.action == .deny)
        #expect(Self.meaning(kprobe) == Self.meaning(hook))
        // Each selector is one rule, written where the selector is.
        let sources = try #require(kprobe.policies.first?.rules.map(\.source))
        #expect(sources.allSatisfy { $0.column == 7 && $0.line > 7 })
    }

    @Test(arguments: [
        ("{ action: Sigkill }", Action.deny),
        ("{ action: Override }", .deny),
        ("{ action: Override, argError: -1 }", .deny),
        ("{ action: Signal, argSig: 9 }", .deny),
        ("{ action: Post }", .audit),
        ("[{ action: Post }, { action: Sigkill }]", .deny),
    ])
    func enforcingActionsDenyAndPostAudits(actions: String, action: Action) throws {
        let file = Self.policy(
            "kprobes", "call: security_bprm_check",
            """
                syscall: false
                args: [{ index: 0, type: linux_binprm }]
                selectors:
                - matchArgs: [{ index: 0, operator: Equal, values: [/usr/bin/nc] }]
                  matchActions: \(actions.hasPrefix("[") ? actions : "[\(actions)]")
            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rule = try #require(file.policies.first?.rules.first)
        #expect(rule.operation == .exec(paths: [.exact("/usr/bin/nc")], args: nil))
        #expect(rule.action == action)
    }

    /// Sigkill is read the same way in `lsmhooks`.
    @Test func sigkillDeniesInLSMHooksToo() throws {
        let file = Self.policy(
            "lsmhooks", "hook: sb_mount",
            """
                selectors:
                - matchActions: [{ action: Sigkill }]
            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        #expect(file.policies.first?.rules.map(\.action) == [.deny])
    }

    /// Tetragon's sample: an exec path and a return value, no action: an audit rule.
    /// `returnArg` and `return` only shape Tetragon's events: warnings.
    @Test func postOnlyKprobeAudits() throws {
        let file = Self.policy(
            "kprobes", "call: \"security_bprm_check\"",
            """
                syscall: false
                return: true
                args:
                - index: 0
                  type: "linux_binprm"
                returnArg:
                  index: 0
                  type: "int"
                selectors:
                  - matchArgs:
                      - index: 0
                        operator: "Equal"
                        values:
                          - "/usr/bin/sample-exec"
            """)
        #expect(file.isUsable, "\(file.diagnostics)")
        let warnings = file.diagnostics.filter { $0.severity == .warning }
        #expect(warnings.map(\.field) == ["spec.kprobes[0].return", "spec.kprobes[0].returnArg"])
        #expect(warnings.map { [$0.line, $0.column] } == [[8, 5], [12, 5]])
        let rules = try #require(file.policies.first?.rules)
        #expect(
            rules == [
                Rule(
                    operation: .exec(paths: [.exact("/usr/bin/sample-exec")], args: nil), subject: .everyone,
                    action: .audit, source: SourceLocation(file: "test.yaml", line: 16, column: 9))
            ])
    }

    /// Without selectors a kprobe audits every call, as a hook does; `type: capability`
    /// and `user_namespace` only show the arguments in Tetragon's events.
    @Test func kprobeWithoutSelectorsAuditsEveryCall() throws {
        let file = Self.policy(
            "kprobes", "call: \"cap_capable\"",
            """
                syscall: false
                message: "capability checked"
                tags: ["observability"]
                args:
                - index: 0
                  type: "nop"
                - index: 1
                  type: "user_namespace"
                - index: 2
                  type: "capability"
            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rule = try #require(file.policies.first?.rules.first)
        #expect(file.policies.first?.rules.count == 1)
        #expect(rule.operation == .capability(Capability.validNames.map { Capability(name: $0)! }))
        #expect(rule.subject.isEveryone)
        #expect(rule.action == .audit)
        #expect((rule.source.line, rule.source.column) == (6, 5))
    }

    /// One policy may hold both sections; each entry gives its rules.
    @Test func hooksAndKprobesTogether() throws {
        let file = Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata: { name: p }
            spec:
              lsmhooks:
              - hook: capable
              kprobes:
              - call: security_sb_mount
                syscall: false
            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let operations = file.policies.first?.rules.map(\.operation)
        #expect(operations == [.capability(Capability.validNames.map { Capability(name: $0)! }), .mount(.any)])
    }
}
