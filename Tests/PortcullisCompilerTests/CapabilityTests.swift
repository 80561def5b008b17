import PortcullisCompiler
import PortcullisPolicy
import Testing

/// Capability rules and subjects, decided from the image as the kernel does.
@Suite struct CapabilityTests {
    static let at = SourceLocation(file: "c.yaml", line: 1, column: 1)
    static let netAdmin = Capability(name: "CAP_NET_ADMIN")!.number
    static let sysAdmin = Capability(name: "CAP_SYS_ADMIN")!.number

    static func compile(_ rules: [(caps: [String], subject: Subject, action: Action)], mode: Policy.Mode = .enforce)
        throws -> ImageEvaluator
    {
        let policy = Policy(
            name: "c", source: at, mode: mode,
            rules: rules.map { r in
                Rule(
                    operation: .capability(r.caps.map { Capability(name: $0)! }), subject: r.subject,
                    action: r.action, source: at)
            })
        return ImageEvaluator(try PolicyCompiler.compile([policy], generation: 3).image)
    }

    @Test func everyoneDenyAppliesToRecordedAndUnrecordedTasks() throws {
        let e = try Self.compile([(["CAP_NET_ADMIN"], .everyone, .deny)])
        #expect(e.capable(Self.netAdmin, by: .unrecorded) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: .init(executable: "/usr/sbin/ip", arguments: ["link"])) == .deny(rules: [0]))
        #expect(e.capable(Self.sysAdmin, by: .unrecorded) == .allow)
    }

    @Test func mountBindSeedSemantics() throws {
        let subject = Subject(executables: [.regex("^/usr/bin/mount$")], args: ".*-o.*bind.*")
        let e = try Self.compile([(["CAP_SYS_ADMIN"], subject, .deny)])
        let bind = ImageEvaluator.Task(executable: "/usr/bin/mount", arguments: ["-o", "bind", "/a", "/b"])
        let tmpfs = ImageEvaluator.Task(executable: "/usr/bin/mount", arguments: ["-t", "tmpfs", "t", "/mnt"])
        let other = ImageEvaluator.Task(executable: "/usr/bin/unshare", arguments: ["-o", "bind"])
        #expect(e.capable(Self.sysAdmin, by: bind) == .deny(rules: [0]))
        #expect(e.capable(Self.sysAdmin, by: tmpfs) == .allow)
        #expect(e.capable(Self.sysAdmin, by: other) == .allow)
        #expect(e.capable(Self.sysAdmin, by: .unrecorded) == .deny(rules: [0]))  // unknown: fail closed
        #expect(e.capable(Self.sysAdmin, by: .kernelThread) == .allow)
        #expect(e.capable(Self.netAdmin, by: bind) == .allow)
    }

    @Test func auditRulesAndAuditMode() throws {
        let e = try Self.compile([(["CAP_NET_ADMIN"], .everyone, .audit)])
        #expect(e.capable(Self.netAdmin, by: .unrecorded) == .audit(rules: [0]))
        let m = try Self.compile([(["CAP_NET_ADMIN"], .everyone, .deny)], mode: .audit)
        #expect(m.capable(Self.netAdmin, by: .unrecorded) == .audit(rules: [0]))
    }

    @Test func denyBeatsAuditAndNamesItsRule() throws {
        let ip = Subject(executables: [.exact("/usr/sbin/ip")])
        let e = try Self.compile([(["CAP_NET_ADMIN"], .everyone, .audit), (["CAP_NET_ADMIN", "CAP_NET_RAW"], ip, .deny)])
        let task = ImageEvaluator.Task(executable: "/usr/sbin/ip", arguments: [])
        #expect(e.capable(Self.netAdmin, by: task) == .deny(rules: [1]))
        #expect(e.capable(Self.netAdmin, by: .unrecorded) == .deny(rules: [1]))  // unknown: fail closed
        #expect(e.capable(Self.netAdmin, by: .kernelThread) == .audit(rules: [0]))
        #expect(e.capable(Capability(name: "CAP_NET_RAW")!.number, by: task) == .deny(rules: [1]))
    }

    /// pc_capable allows a capability whose bit is clear without reading the image:
    /// a clear bit must mean that no task, not even an unknown one, is denied or audited.
    @Test func namedCapabilitiesAreExactlyThoseSomeRuleCanDecide() throws {
        let mount = Subject(executables: [.regex("^/usr/bin/mount$")], args: ".*-o.*bind.*")
        let ip = Subject(executables: [.exact("/usr/sbin/ip")])
        let policy = try PolicyCompiler.compile(
            [
                Policy(
                    name: "c", source: Self.at, mode: .enforce,
                    rules: [
                        Rule(operation: .capability([Capability(name: "CAP_NET_ADMIN")!]), subject: .everyone,
                             action: .deny, source: Self.at),
                        Rule(operation: .capability([Capability(name: "CAP_SYS_ADMIN")!]), subject: mount,
                             action: .deny, source: Self.at),
                        Rule(operation: .capability([Capability(name: "CAP_NET_RAW")!]), subject: ip,
                             action: .audit, source: Self.at),
                    ])
            ], generation: 3)
        let named = policy.image.namedCapabilities
        let raw = Capability(name: "CAP_NET_RAW")!.number
        #expect(named == (1 << UInt64(Self.netAdmin)) | (1 << UInt64(Self.sysAdmin)) | (1 << UInt64(raw)))
        let e = ImageEvaluator(policy.image)
        for cap in 0..<64 where named & (1 << UInt64(cap)) == 0 {
            #expect(e.capable(cap, by: .unrecorded) == .allow, "capability \(cap) is decided but not named")
        }
        #expect(try PolicyCompiler.compile([], generation: 1).image.namedCapabilities == 0)
    }

    @Test func tooManySubjectsIsAnErrorNamingTheRule() {
        let rules = (0...256).map { i in
            (caps: ["CAP_NET_ADMIN"], subject: Subject(executables: [.exact("/bin/p\(i)")]), action: Action.deny)
        }
        #expect(throws: CompileError.self) { try Self.compile(rules) }
    }
}

/// A capability rule applies in every user namespace unless limited to the host's
/// initial one (`capability: { names: [...], userNamespace: initial }`).
@Suite struct CapabilityUserNamespaceTests {
    static let netAdmin = Capability(name: "CAP_NET_ADMIN")!.number

    static func initialOnly(_ subject: Subject = .everyone) -> Subject {
        var subject = subject
        subject.initialUserNamespaceOnly = true
        return subject
    }

    @Test func aRuleAppliesInEveryUserNamespaceByDefault() throws {
        let e = try CapabilityTests.compile([(["CAP_NET_ADMIN"], .everyone, .deny)])
        let task = ImageEvaluator.Task(executable: "/usr/sbin/ip", arguments: [])
        #expect(e.capable(Self.netAdmin, by: task) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: task, initialUserNamespace: false) == .deny(rules: [0]))
    }

    @Test func aRuleLimitedToTheInitialNamespaceLeavesOthersAlone() throws {
        let e = try CapabilityTests.compile([
            (["CAP_NET_ADMIN"], Self.initialOnly(), .deny),
            (["CAP_NET_ADMIN"], Self.initialOnly(Subject(uids: [1000])), .audit),
        ])
        let root = ImageEvaluator.Task(executable: "/usr/sbin/ip", arguments: [])
        #expect(e.capable(Self.netAdmin, by: root) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: root, initialUserNamespace: false) == .allow)
        #expect(e.capable(Self.netAdmin, by: .unrecorded, initialUserNamespace: false) == .allow)
    }

    @Test func anAllowLimitedToTheInitialNamespaceLiftsTheDenyThereOnly() throws {
        let at = SourceLocation(file: "a.yaml", line: 1, column: 1)
        let cap = Operation.capability([Capability(name: "CAP_NET_ADMIN")!])
        let policy = Policy(
            name: "p", source: at, mode: .enforce,
            rules: [
                Rule(operation: cap, subject: .everyone, action: .deny, source: at),
                Rule(operation: cap, subject: Self.initialOnly(Subject(uids: [0])), action: .allow, source: at),
            ])
        let e = ImageEvaluator(try PolicyCompiler.compile([policy], generation: 1).image)
        let root = ImageEvaluator.Task(executable: "/usr/sbin/ip", arguments: [])
        #expect(e.capable(Self.netAdmin, by: root) == .allow)
        #expect(e.capable(Self.netAdmin, by: root, initialUserNamespace: false) == .deny(rules: [0]))
    }
}
