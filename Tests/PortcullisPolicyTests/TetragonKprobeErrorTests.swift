import PortcullisPolicy
import Testing

/// What is refused in a Tetragon kprobe, and how: every error inside a kprobe names the
/// `lsmhooks` form it is read as.
@Suite struct TetragonKprobeErrorTests {
    /// A TracingPolicy whose `kprobes` list starts on line 6.
    static func policy(kprobes: String) -> PolicyFile {
        Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata: { name: p }
            spec:
              kprobes:
            \(kprobes)
            """)
    }

    static func onlyError(_ file: PolicyFile) throws -> Diagnostic {
        #expect(!file.isUsable)
        let errors = file.diagnostics.filter { $0.severity == .error }
        #expect(errors.count == 1, "\(errors)")
        return try #require(errors.first)
    }

    static let bprmForm = "portcullis reads `call: security_bprm_check` as `lsmhooks: - hook: bprm_check_security`"
    static let capableForm = "portcullis reads `call: cap_capable` as `lsmhooks: - hook: capable`"

    @Test func otherCallsListTheSupportedOnes() throws {
        let file = Self.policy(
            kprobes: """
                  - call: "sys_write"
                    syscall: true
                """)
        let d = try Self.onlyError(file)
        #expect((d.line, d.column) == (6, 11))
        #expect(d.field == "spec.kprobes[0].call")
        #expect(d.message.contains("a kprobe on 'sys_write' is not supported"))
        #expect(d.message.contains("'security_bprm_check', 'security_sb_mount', 'cap_capable'"))
        #expect(d.message.contains("'bprm_check_security', 'sb_mount', 'capable'"))
    }

    /// Tetragon's `syscall` defaults to true: it would look for a system call of that name.
    @Test func syscallLeftOutIsRefused() throws {
        let file = Self.policy(kprobes: "  - call: security_bprm_check")
        let d = try Self.onlyError(file)
        #expect((d.line, d.column) == (6, 5))
        #expect(d.field == "spec.kprobes[0]")
        #expect(d.message.contains("write 'syscall: false'"))
        #expect(d.message.hasSuffix(Self.bprmForm))
    }

    @Test func syscallKprobeIsRefused() throws {
        let file = Self.policy(
            kprobes: """
                  - call: security_bprm_check
                    syscall: true
                    args: [{ index: 0, type: linux_binprm }]
                """)
        let d = try Self.onlyError(file)
        #expect((d.line, d.column) == (7, 14))
        #expect(d.field == "spec.kprobes[0].syscall")
        #expect(d.message.contains("'security_bprm_check' is a kernel function, not a system call"))
        #expect(d.message.hasSuffix(Self.bprmForm))
    }

    /// One pass reports every problem of a kprobe, each with the form it is read as.
    @Test func syscallAndSelectorProblemsAreReportedTogether() throws {
        let file = Self.policy(
            kprobes: """
                  - call: security_sb_mount
                    syscall: true
                    selectors:
                    - matchPIDs: [{ operator: In, values: [1] }]
                """)
        let errors = file.diagnostics.filter { $0.severity == .error }
        #expect(errors.map { [$0.line, $0.column] } == [[7, 14], [9, 7]])
        let form = "portcullis reads `call: security_sb_mount` as `lsmhooks: - hook: sb_mount`"
        #expect(errors.allSatisfy { $0.message.hasSuffix(form) }, "\(errors)")
        #expect(file.policies.isEmpty)
    }

    @Test func unsupportedSelectorNamesTheLSMHookForm() throws {
        let file = Self.policy(
            kprobes: """
                  - call: cap_capable
                    syscall: false
                    selectors:
                    - matchNamespaces: [{ namespace: Pid, operator: NotIn, values: [host_ns] }]
                      matchActions: [{ action: Post, rateLimit: 1m }]
                """)
        let d = try Self.onlyError(file)
        #expect((d.line, d.column) == (9, 7))
        #expect(d.field == "spec.kprobes[0].selectors[0].matchNamespaces")
        #expect(d.message.contains("'matchNamespaces' is not supported"))
        #expect(d.message.hasSuffix(Self.capableForm))
        // The rateLimit warning is not an error: it gets no note.
        let warning = try #require(file.diagnostics.first { $0.severity == .warning })
        #expect(!warning.message.contains("lsmhooks"))
    }

    /// The note is for kprobes: the same error in `lsmhooks` has none.
    @Test func lsmhooksErrorsHaveNoKprobeNote() throws {
        let file = Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata: { name: p }
            spec:
              lsmhooks:
              - hook: capable
                selectors:
                - matchPIDs: [{ operator: In, values: [1] }]
            """)
        let d = try Self.onlyError(file)
        #expect(d.message.contains("'matchPIDs' is not supported"))
        #expect(!d.message.contains("portcullis reads `call:"))
    }

    /// Tetragon overrides system calls and `security_` functions only.
    @Test func overrideOnCapCapableIsRefused() throws {
        let file = Self.policy(
            kprobes: """
                  - call: cap_capable
                    syscall: false
                    selectors:
                    - matchActions: [{ action: Override, argError: -1 }]
                """)
        let d = try Self.onlyError(file)
        #expect((d.line, d.column) == (9, 32))
        #expect(d.message.contains("Tetragon refuses 'Override' on 'cap_capable'"))
        #expect(d.message.contains("Use 'Sigkill'"))
        #expect(d.message.hasSuffix(Self.capableForm))
    }

    @Test(arguments: [
        ("data", "[{ index: 0, type: linux_binprm }]"),
        ("returnArgAction", "TrackSock"),
        ("ignore", "{ callNotFound: true }"),
    ])
    func kprobeOnlyFieldsAreNamed(key: String, value: String) throws {
        let file = Self.policy(
            kprobes: """
                  - call: security_bprm_check
                    syscall: false
                    \(key): \(value)
                """)
        let d = try Self.onlyError(file)
        #expect((d.line, d.column) == (8, 5))
        #expect(d.message.contains("Tetragon's '\(key)' is not supported"))
        #expect(d.message.hasSuffix(Self.bprmForm))
    }

    @Test(arguments: [
        ("{ action: NotifyEnforcer, argError: -1 }", "'enforcers'"),
        ("{ action: Signal, argSig: 15 }", "'15' is not read"),
        ("{ action: Signal }", "'argSig' is missing"),
        ("{ action: Sigkill, argError: -1 }", "'argError' belongs to 'Override'"),
        ("{ action: Override, argSig: 9 }", "'argSig' belongs to 'Signal'"),
    ])
    func actionsThatDoNotDenyAsWrittenAreRefused(action: String, problem: String) throws {
        let file = Self.policy(
            kprobes: """
                  - call: security_bprm_check
                    syscall: false
                    selectors:
                    - matchActions: [\(action)]
                """)
        let d = try Self.onlyError(file)
        #expect(d.line == 9)
        #expect(d.message.contains(problem), "\(d.message)")
        #expect(d.message.hasSuffix(Self.bprmForm))
    }
}
