import PortcullisPolicy
import Testing

/// What the Tetragon subset refuses, and how it says so.
@Suite struct TetragonErrorTests {
    /// A TracingPolicy whose `lsmhooks` list starts on line 6.
    static func policy(hooks: String) -> PolicyFile {
        Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata: { name: p }
            spec:
              lsmhooks:
            \(hooks)
            """)
    }

    static func firstError(_ file: PolicyFile) throws -> Diagnostic {
        #expect(!file.isUsable)
        return try #require(file.diagnostics.first { $0.severity == .error })
    }

    @Test func tracepointsAreNamedAsUnsupported() throws {
        let file = Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata: { name: p }
            spec:
              tracepoints:
              - subsystem: syscalls
                event: sys_enter_mount
            """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (5, 3))
        #expect(d.field == "spec.tracepoints")
        #expect(d.message.contains("'tracepoints' is not supported"))
        #expect(d.message.contains("supported here: 'lsmhooks', 'kprobes', 'options'"))
    }

    @Test func misspelledLsmHooksIsAnUnknownKey() throws {
        let file = Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata: { name: p }
            spec:
              lsmHooks: []
            """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (5, 3))
        #expect(d.message.contains("unknown key 'lsmHooks'; valid keys here: 'lsmhooks'"))
    }

    @Test func namespacedPolicyIsAnError() throws {
        let file = Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicyNamespaced
            metadata: { name: p, namespace: web }
            spec:
              lsmhooks: [{ hook: capable }]
            """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (2, 7))
        #expect(d.message.contains("namespace"))
        #expect(d.message.contains("'kind: TracingPolicy'"))
    }

    @Test func unsupportedHookListsTheSupportedOnes() throws {
        let file = Self.policy(hooks: "  - hook: file_open")
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (6, 11))
        #expect(d.field == "spec.lsmhooks[0].hook")
        #expect(d.message.contains("'bprm_check_security', 'sb_mount', 'capable'"))
    }

    @Test func argumentOfTheWrongTypeNamesTheParameter() throws {
        let file = Self.policy(
            hooks: """
                  - hook: sb_mount
                    args: [{ index: 1, type: file }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (7, 30))
        #expect(d.message.contains("'const struct path *path'; its type is 'path'"))
    }

    @Test func unreadableArgumentIsAnError() throws {
        let file = Self.policy(
            hooks: """
                  - hook: sb_mount
                    args: [{ index: 4, type: string }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (7, 21))
        #expect(d.message.contains("'void *data') cannot be read"))
    }

    /// A parameter Tetragon only shows in its events is declared with its own type.
    @Test func eventOnlyArgumentTakesItsOwnType() throws {
        let file = Self.policy(
            hooks: """
                  - hook: capable
                    args: [{ index: 0, type: int }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (7, 30))
        #expect(d.message.contains("'const struct cred *cred'; its type is 'cred'"))
    }

    @Test func matchingAnUndeclaredArgumentIsAnError() throws {
        let file = Self.policy(
            hooks: """
                  - hook: bprm_check_security
                    selectors:
                    - matchArgs: [{ index: 0, operator: Equal, values: [/bin/sh] }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (8, 28))
        #expect(d.message.contains("'{ index: 0, type: linux_binprm }'"))
    }

    @Test func matchingMountFlagsIsNotSupported() throws {
        let file = Self.policy(
            hooks: """
                  - hook: sb_mount
                    args: [{ index: 3, type: int }]
                    selectors:
                    - matchArgs: [{ index: 3, operator: Equal, values: ["4096"] }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (9, 28))
        #expect(d.message.contains("'unsigned long flags'"))
        #expect(d.message.contains("argument 0 or 1 or 2"))
    }

    @Test func unsupportedArgumentOperatorListsTheSupportedOnes() throws {
        let file = Self.policy(
            hooks: """
                  - hook: bprm_check_security
                    args: [{ index: 0, type: linux_binprm }]
                    selectors:
                    - matchArgs: [{ index: 0, operator: NotEqual, values: [/bin/sh] }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (9, 41))
        #expect(d.field == "spec.lsmhooks[0].selectors[0].matchArgs[0].operator")
        #expect(d.message.contains("'Equal', 'Prefix', 'Postfix'"))
    }

    @Test func unsupportedBinaryOperatorListsTheSupportedOnes() throws {
        let file = Self.policy(
            hooks: """
                  - hook: capable
                    selectors:
                    - matchBinaries: [{ operator: Prefix, values: [/usr/] }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (8, 35))
        #expect(d.message.contains("'In', 'NotIn'"))
    }

    @Test func followChildrenIsNamedAsUnsupported() throws {
        let file = Self.policy(
            hooks: """
                  - hook: capable
                    selectors:
                    - matchBinaries: [{ operator: In, values: [/usr/sbin/sshd], followChildren: true }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (8, 65))
        #expect(d.message.contains("'followChildren' is not supported"))
    }

    @Test(arguments: [
        ("matchNamespaces: [{ namespace: Pid, operator: In, values: [host_ns] }]", "matchNamespaces"),
        ("matchCapabilities: [{ type: Effective, operator: In, values: [CAP_SYS_ADMIN] }]", "matchCapabilities"),
        ("matchPIDs: [{ operator: In, values: [1] }]", "matchPIDs"),
    ])
    func unsupportedSelectorFiltersAreNamed(filter: String, name: String) throws {
        let file = Self.policy(
            hooks: """
                  - hook: capable
                    selectors:
                    - \(filter)
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (8, 7))
        #expect(d.field == "spec.lsmhooks[0].selectors[0].\(name)")
        #expect(d.message.contains("'\(name)' is not supported"))
        #expect(d.message.contains("'matchBinaries', 'matchArgs', 'matchActions'"))
    }

    @Test func noPostListsTheSupportedActions() throws {
        let file = Self.policy(
            hooks: """
                  - hook: capable
                    selectors:
                    - matchActions: [{ action: NoPost }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (8, 32))
        #expect(d.message.contains("'NoPost'"))
        #expect(d.message.contains("'Override', 'Sigkill', 'Signal', 'Post'"))
    }

    @Test func overrideWithAnotherErrorIsRefused() throws {
        let file = Self.policy(
            hooks: """
                  - hook: capable
                    selectors:
                    - matchActions: [{ action: Override, argError: -13 }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (8, 52))
        #expect(d.message.contains("'-13'"))
        #expect(d.message.contains("EPERM"))
    }

    @Test func capabilityByNameIsRefusedWithItsNumber() throws {
        let file = Self.policy(
            hooks: """
                  - hook: capable
                    args: [{ index: 2, type: int }]
                    selectors:
                    - matchArgs: [{ index: 2, operator: Equal, values: [CAP_SYS_ADMIN] }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (9, 57))
        #expect(d.message.contains("CAP_SYS_ADMIN is 21"))
    }

    @Test func filesystemTypeTakesOnlyEqual() throws {
        let file = Self.policy(
            hooks: """
                  - hook: sb_mount
                    args: [{ index: 2, type: string }]
                    selectors:
                    - matchArgs: [{ index: 2, operator: Prefix, values: [ext] }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (9, 41))
        #expect(d.field == "spec.lsmhooks[0].selectors[0].matchArgs[0].operator")
        #expect(d.message.contains("only 'Equal' applies to argument 2 ('const char *type')"))
    }

    @Test func mountSourceMustBeAPath() throws {
        let file = Self.policy(
            hooks: """
                  - hook: sb_mount
                    args: [{ index: 0, type: string }]
                    selectors:
                    - matchArgs: [{ index: 0, operator: Equal, values: [tmpfs] }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (9, 57))
        #expect(d.message.contains("absolute"))
    }

    @Test func twoEntriesOnOneArgumentAreRefused() throws {
        let file = Self.policy(
            hooks: """
                  - hook: bprm_check_security
                    args: [{ index: 0, type: linux_binprm }]
                    selectors:
                    - matchArgs:
                      - { index: 0, operator: Prefix, values: [/tmp/] }
                      - { index: 0, operator: Postfix, values: [.sh] }
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (11, 9))
        #expect(d.message.contains("already matched"))
    }

    @Test func emptyValuesAreRefused() throws {
        let file = Self.policy(
            hooks: """
                  - hook: bprm_check_security
                    args: [{ index: 0, type: linux_binprm }]
                    selectors:
                    - matchArgs: [{ index: 0, operator: Postfix, values: [] }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (9, 58))
        #expect(d.message.contains("'values' is empty"))
    }

    @Test func emptyPostfixWouldMatchEverything() throws {
        let file = Self.policy(
            hooks: """
                  - hook: bprm_check_security
                    args: [{ index: 0, type: linux_binprm }]
                    selectors:
                    - matchArgs: [{ index: 0, operator: Postfix, values: [""] }]
                """)
        let d = try Self.firstError(file)
        #expect((d.line, d.column) == (9, 59))
        #expect(d.message.contains("every path"))
    }

    /// Parameters that only shape Tetragon's events are warnings: the policy is read.
    @Test func imaHashAndRateLimitAreWarnings() throws {
        let file = Self.policy(
            hooks: """
                  - hook: bprm_check_security
                    selectors:
                    - matchActions:
                      - action: Post
                        imaHash: true
                        rateLimit: 1m
                """)
        #expect(file.isUsable)
        #expect(file.policies.first?.rules.first?.action == .audit)
        let warnings = file.diagnostics.filter { $0.severity == .warning }
        #expect(file.diagnostics.allSatisfy { $0.severity == .warning })
        #expect(warnings.map(\.field).sorted() == [
            "spec.lsmhooks[0].selectors[0].matchActions[0].imaHash",
            "spec.lsmhooks[0].selectors[0].matchActions[0].rateLimit",
        ])
        #expect(warnings.first { $0.field.hasSuffix("imaHash") }.map { ($0.line, $0.column) }.map { $0 == (10, 9) } == true)
    }

    /// `options: [{name: policy-mode, value: monitor}]` is audit mode; `enforce` enforce mode.
    @Test func policyModeMonitorIsAuditMode() throws {
        func read(_ options: String) -> PolicyFile {
            Fixtures.read(
                """
                apiVersion: cilium.io/v1alpha1
                kind: TracingPolicy
                metadata: { name: p }
                spec:
                  options:
                \(options)
                  lsmhooks:
                  - hook: bprm_check_security
                    selectors:
                    - matchActions:
                      - action: Override
                """)
        }
        let monitor = read("  - name: policy-mode\n    value: monitor")
        #expect(monitor.isUsable && monitor.policies.first?.mode == .audit)
        let enforce = read("  - name: policy-mode\n    value: enforce")
        #expect(enforce.isUsable && enforce.policies.first?.mode == .enforce)
        let other = read("  - name: disable-kprobe-multi\n    value: \"1\"")
        #expect(other.isUsable && other.policies.first?.mode == .enforce)
        #expect(other.diagnostics.contains { $0.severity == .warning && $0.message.contains("disable-kprobe-multi") })
        let bad = read("  - name: policy-mode\n    value: observe")
        #expect(!bad.isUsable)
        #expect(bad.diagnostics.contains { $0.severity == .error && $0.line == 7 })
    }
}
