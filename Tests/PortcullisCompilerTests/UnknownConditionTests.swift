@testable import PortcullisCompiler
import PortcullisPolicy
import Testing

/// Three-valued conditions (docs/policy.md, "When a condition is unknown"): a text of
/// the process the kernel cannot read whole leaves the conditions on it unknown. A
/// deny or an audit applies when its conditions hold or are unknown; an `allow` or an
/// `except` only when they are known to hold.
@Suite struct UnknownConditionTests {
    static let netAdmin = Capability(name: "CAP_NET_ADMIN")!.number
    static let curl = Array("/usr/bin/curl".utf8)
    static let deep = "/" + (1...20).map { "l\($0)" }.joined(separator: "/")
    static let long = "/system.slice/" + String(repeating: "x", count: 300) + ".service"

    static func task(exe: String = "/usr/bin/ip", args: [String]? = [], cgroup: String? = "/") -> ImageEvaluator.Task {
        ImageEvaluator.Task(executable: exe, arguments: args, uid: 0, cgroup: cgroup)
    }

    static func everyoneExcept(_ exception: Subject) -> Subject {
        var subject = Subject()
        subject.except = [exception]
        return subject
    }

    @Test func anExceptionByUnitIsNotMetByAnUnknownCgroup() throws {
        let e = try CapabilityTests.compile([(["CAP_NET_ADMIN"], Self.everyoneExcept(Subject(units: ["ci.service"])), .deny)])
        #expect(e.capable(Self.netAdmin, by: Self.task(cgroup: "/system.slice/ci.service")) == .allow)
        #expect(e.capable(Self.netAdmin, by: Self.task(cgroup: "/system.slice/web.service")) == .deny(rules: [0]))
        // 20 levels deep (more than PC_CGROUP_DEPTH), a path that cannot be read, no record.
        #expect(e.capable(Self.netAdmin, by: Self.task(cgroup: "/system.slice/ci.service" + Self.deep)) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: Self.task(cgroup: nil)) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: .unrecorded) == .deny(rules: [0]))
        // Cut at 256 bytes while the unit's pattern might still match further on.
        #expect(e.capable(Self.netAdmin, by: Self.task(cgroup: Self.long + "/ci.service")) == .deny(rules: [0]))
    }

    @Test func aDenyByUnitStillAppliesToAnUnknownCgroup() throws {
        let e = try CapabilityTests.compile([(["CAP_NET_ADMIN"], Subject(units: ["web.service"]), .deny)])
        #expect(e.capable(Self.netAdmin, by: Self.task(cgroup: Self.deep)) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: Self.task(cgroup: "/system.slice/db.service")) == .allow)
    }

    @Test func aCutTextThatCanNoLongerMatchIsKnown() throws {
        // The DFA is dead within the first 256 bytes: the condition is known not to hold,
        // so the exception is known not to apply either way and the cut path is no doubt.
        let long = "/opt/" + String(repeating: "y", count: 300)
        let e = try CapabilityTests.compile([
            (["CAP_NET_ADMIN"], Self.everyoneExcept(Subject(executables: [.prefix("/usr/")])), .deny),
            (["CAP_SYS_ADMIN"], Subject(executables: [.prefix("/usr/")]), .deny),
        ])
        #expect(e.capable(Self.netAdmin, by: Self.task(exe: long)) == .deny(rules: [0]))
        #expect(e.capable(Capability(name: "CAP_SYS_ADMIN")!.number, by: Self.task(exe: long)) == .allow)
        // Still alive in the DFA at the cut: unknown, even though a prefix would match
        // whatever follows. The exception is not certain: denied.
        let usrLong = "/usr/" + String(repeating: "y", count: 300)
        #expect(e.capable(Self.netAdmin, by: Self.task(exe: usrLong)) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: Self.task(exe: "/usr/bin/ip")) == .allow)
    }

    @Test func aCapabilityAllowNeedsItsSubjectKnown() throws {
        let at = SourceLocation(file: "a.yaml", line: 1, column: 1)
        let cap = Operation.capability([Capability(name: "CAP_NET_ADMIN")!])
        let policy = Policy(
            name: "p", source: at, mode: .enforce,
            rules: [
                Rule(operation: cap, subject: .everyone, action: .deny, source: at),
                Rule(operation: cap, subject: Subject(units: ["agent.service"]), action: .allow, source: at),
            ])
        let e = ImageEvaluator(try PolicyCompiler.compile([policy], generation: 1).image)
        #expect(e.capable(Self.netAdmin, by: Self.task(cgroup: "/system.slice/agent.service")) == .allow)
        #expect(e.capable(Self.netAdmin, by: Self.task(cgroup: "/system.slice/agent.service" + Self.deep)) == .deny(rules: [0]))
    }

    @Test func anExecAllowNeedsItsCallerKnown() throws {
        let e = try ExecConditionTests.compile([
            (ExecConditionTests.exec(.exact("/usr/bin/curl")), .everyone, .deny),
            (ExecConditionTests.exec(.exact("/usr/bin/curl")), Subject(args: "^--trusted"), .allow),
        ])
        #expect(e.exec(path: Self.curl, caller: Self.task(args: ["--trusted"])) == .allow)
        #expect(e.exec(path: Self.curl, caller: Self.task(args: nil)).strength == 2)
        #expect(e.exec(path: Self.curl, caller: .unrecorded).strength == 2)
        #expect(e.exec(path: Self.curl, caller: Self.task(args: ["--other"])).strength == 2)
    }

    @Test func anArgumentExceptionIsNotMetByArgumentsTooLongToRead() throws {
        // deny curl, except when its arguments start with --version
        let e = try ExecConditionTests.compile([
            (ExecConditionTests.exec(.exact("/usr/bin/curl")), .everyone, .deny),
            (ExecConditionTests.exec(.exact("/usr/bin/curl"), args: "^--version"), .everyone, .allow),
        ])
        let short = ImageEvaluator.Task.readableArguments(argv0: "curl", ["--version"])
        #expect(short == ["--version"])
        #expect(e.exec(path: Self.curl, arguments: short) == .allow)
        // argv[0] of 300 bytes: the arguments cannot be found, so they are unknown.
        let argv0 = ImageEvaluator.Task.readableArguments(argv0: String(repeating: "c", count: 300), ["--version"])
        #expect(argv0 == nil)
        #expect(e.execSteps(path: Self.curl, arguments: argv0).afterExec == .deny(rules: [0]))
        // More than 4 KiB of arguments.
        let big = ImageEvaluator.Task.readableArguments(argv0: "curl", ["--version", String(repeating: "z", count: 4100)])
        #expect(big == nil)
        #expect(e.exec(path: Self.curl, arguments: big).strength == 2)
        // At the limit exactly: argv (with NULs) is 4096 bytes, read; but the record keeps
        // 256 bytes of it, where the pattern is still alive: unknown all the same.
        let edge = ImageEvaluator.Task.readableArguments(argv0: "curl", ["--version", String(repeating: "z", count: 4080)])
        #expect(edge?.count == 2)
        #expect(ImageEvaluator.Task.readableArguments(argv0: "curl", ["--version", String(repeating: "z", count: 4081)]) == nil)
        #expect(e.exec(path: Self.curl, arguments: edge).strength == 2)
    }

    @Test func anArgumentScopedDenyStillAppliesToUnknownArguments() throws {
        let e = try ExecConditionTests.compile([
            (ExecConditionTests.exec(.exact("/usr/bin/curl"), args: "http://"), .everyone, .deny)
        ])
        #expect(e.execSteps(path: Self.curl, arguments: nil).afterExec == .deny(rules: [0]))
        #expect(e.exec(path: Self.curl, arguments: ["https://x"]) == .allow)
    }

    @Test func aMountAllowNeedsItsSubjectKnown() throws {
        let backup = Subject(executables: [.exact("/usr/sbin/backup")], args: "^--nightly")
        let e = ImageEvaluator(
            try PolicyCompiler.compile(
                [
                    MountAllowTests.policy(
                        "own",
                        [(MountMatch(flags: [.bind]), .everyone, .deny), (MountMatch(flags: [.bind]), backup, .allow)])
                ], generation: 1
            ).image)
        let call = ImageEvaluator.MountCall(source: "/a", target: "/b", fstype: nil, flags: MountAllowTests.bind)
        #expect(e.mount(call, by: Self.task(exe: "/usr/sbin/backup", args: ["--nightly"])) == .allow)
        #expect(e.mount(call, by: Self.task(exe: "/usr/sbin/backup", args: nil)) == .deny(rules: [0]))
        #expect(e.mount(call, by: .unrecorded) == .deny(rules: [0]))
    }

    @Test func aCapabilityDenialNamesARuleThatCertainlyApplies() throws {
        let e = try CapabilityTests.compile([
            (["CAP_NET_ADMIN"], Self.everyoneExcept(Subject(units: ["ci.service"])), .deny),
            (["CAP_NET_ADMIN"], .everyone, .deny),
        ])
        #expect(e.capable(Self.netAdmin, by: Self.task(cgroup: Self.deep)) == .deny(rules: [1]))
        let alone = try CapabilityTests.compile([
            (["CAP_NET_ADMIN"], Self.everyoneExcept(Subject(units: ["ci.service"])), .deny)
        ])
        #expect(alone.capable(Self.netAdmin, by: Self.task(cgroup: Self.deep)) == .deny(rules: [0]))
    }

    @Test func aKernelThreadIsKnownToBeTheUnconditionalSubjects() throws {
        let e = try CapabilityTests.compile([
            (["CAP_NET_ADMIN"], Subject(executables: [.exact("/usr/bin/ip")]), .deny),
            (["CAP_SYS_ADMIN"], Self.everyoneExcept(Subject(executables: [.exact("/usr/bin/ip")])), .deny),
        ])
        #expect(e.capable(Self.netAdmin, by: .kernelThread) == .allow)
        #expect(e.capable(Capability(name: "CAP_SYS_ADMIN")!.number, by: .kernelThread) == .deny(rules: [1]))
        #expect(e.capable(Self.netAdmin, by: .unrecorded) == .deny(rules: [0]))
    }
}
