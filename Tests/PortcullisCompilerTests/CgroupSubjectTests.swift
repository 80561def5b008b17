import PortcullisCompiler
import PortcullisPolicy
import Testing

/// `unit` and `cgroup` conditions on subjects: matched by the acting task's cgroup
/// v2 path, kept in its record; an unknown or cut path fails closed.
@Suite struct CgroupSubjectTests {
    static let netAdmin = Capability(name: "CAP_NET_ADMIN")!.number
    static let at = SourceLocation(file: "c.yaml", line: 1, column: 1)

    static func task(_ cgroup: String?, exe: String = "/usr/bin/ip", uid: UInt32 = 0) -> ImageEvaluator.Task {
        ImageEvaluator.Task(executable: exe, arguments: [], uid: uid, cgroup: cgroup)
    }

    static func denies(_ e: ImageEvaluator, _ cgroup: String?, exe: String = "/usr/bin/ip") -> Bool {
        if case .deny = e.capable(netAdmin, by: task(cgroup, exe: exe)) { return true }
        return false
    }

    @Test func aUnitIsAComponentOfThePathAndEverythingBelowIt() throws {
        let e = try CapabilityTests.compile([(["CAP_NET_ADMIN"], Subject(units: ["nginx.service"]), .deny)])
        #expect(Self.denies(e, "/system.slice/nginx.service"))
        #expect(Self.denies(e, "/system.slice/nginx.service/worker"))
        #expect(Self.denies(e, "/nginx.service"))
        #expect(Self.denies(e, "/user.slice/user-1000.slice/user@1000.service/app.slice/nginx.service"))
        #expect(!Self.denies(e, "/system.slice/nginx.service2"))
        #expect(!Self.denies(e, "/system.slice/xnginx.service"))
        #expect(!Self.denies(e, "/system.slice/nginxXservice"))  // the dot is a literal
        #expect(!Self.denies(e, "/system.slice"))
        #expect(!Self.denies(e, "/"))
    }

    @Test func aSliceHoldsEveryUnitUnderIt() throws {
        let e = try CapabilityTests.compile([(["CAP_NET_ADMIN"], Subject(units: ["system.slice"]), .deny)])
        #expect(Self.denies(e, "/system.slice"))
        #expect(Self.denies(e, "/system.slice/cron.service"))
        #expect(Self.denies(e, "/system.slice/system-getty.slice/getty@tty1.service"))
        #expect(!Self.denies(e, "/user.slice/user-1000.slice/session-2.scope"))
    }

    @Test func aCgroupIsThatPathOrBelowItAndRegexesMatchThePath() throws {
        let subtree = Subject(cgroups: [.exact("/pc/a"), .prefix("/pc/a/")])
        let regex = Subject(cgroups: [.regex("^/jobs/[0-9]+$")])
        let e = try CapabilityTests.compile([(["CAP_NET_ADMIN"], subtree, .deny), (["CAP_NET_ADMIN"], regex, .audit)])
        #expect(e.capable(Self.netAdmin, by: Self.task("/pc/a")) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: Self.task("/pc/a/b/c")) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: Self.task("/pc/ab")) == .allow)
        #expect(e.capable(Self.netAdmin, by: Self.task("/jobs/42")) == .audit(rules: [1]))
        #expect(e.capable(Self.netAdmin, by: Self.task("/jobs/42/x")) == .allow)
    }

    @Test func unitsAndCgroupsAreAlternativesAndOtherConditionsStillHold() throws {
        let subject = Subject(
            executables: [.exact("/usr/bin/ip")], units: ["a.service"], cgroups: [.exact("/b")], uids: [1000])
        let e = try CapabilityTests.compile([(["CAP_NET_ADMIN"], subject, .deny)])
        let ip = { (cgroup: String, uid: UInt32) in e.capable(Self.netAdmin, by: Self.task(cgroup, uid: uid)) }
        #expect(ip("/system.slice/a.service", 1000) == .deny(rules: [0]))
        #expect(ip("/b", 1000) == .deny(rules: [0]))
        #expect(ip("/c", 1000) == .allow)
        #expect(ip("/b", 0) == .allow)
        #expect(e.capable(Self.netAdmin, by: Self.task("/b", exe: "/usr/bin/tc", uid: 1000)) == .allow)
    }

    @Test func anUnknownPathFailsClosed() throws {
        let e = try CapabilityTests.compile([(["CAP_NET_ADMIN"], Subject(units: ["a.service"]), .deny)])
        #expect(Self.denies(e, nil))
        let deep = "/" + (1...17).map { "d\($0)" }.joined(separator: "/")
        #expect(Self.denies(e, deep))
        let sixteen = "/" + (1...16).map { "d\($0)" }.joined(separator: "/")
        #expect(!Self.denies(e, sixteen))
        // A task with no record is unknown: possibly this subject (denied); a kernel
        // thread is known to be the subjects with no conditions: not this one.
        #expect(e.capable(Self.netAdmin, by: .unrecorded) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: .kernelThread) == .allow)
    }

    @Test func aCutPathFailsClosedOnlyWhileItMightStillMatch() throws {
        let long = "/" + String(repeating: "x", count: 250) + "/more/and/more"
        #expect(long.utf8.count > 256)
        let prefix = Subject(cgroups: [.prefix("/" + String(repeating: "x", count: 250) + "/")])
        let regex = Subject(cgroups: [.regex("^/x+/more/and/less$")])
        let other = Subject(cgroups: [.exact("/y")])
        let e = try CapabilityTests.compile([
            (["CAP_NET_ADMIN"], prefix, .deny), (["CAP_SYS_ADMIN"], regex, .deny), (["CAP_CHOWN"], other, .deny),
        ])
        let t = Self.task(long)
        // The prefix is settled within the kept bytes: accepted (still alive: every subject).
        #expect(e.capable(Self.netAdmin, by: t) != .allow)
        // The regex is still alive at the cut: every cgroup subject (fail closed).
        #expect(e.capable(Capability(name: "CAP_SYS_ADMIN")!.number, by: t) != .allow)
        // An exact path that died in the kept bytes: the product DFA is still alive
        // for the others, so the cut path counts as every cgroup subject.
        #expect(e.capable(Capability(name: "CAP_CHOWN")!.number, by: t) != .allow)

        let alone = try CapabilityTests.compile([(["CAP_CHOWN"], other, .deny)])
        #expect(alone.capable(Capability(name: "CAP_CHOWN")!.number, by: t) == .allow)  // dead: nothing
        #expect(alone.capable(Capability(name: "CAP_CHOWN")!.number, by: Self.task("/y")) == .deny(rules: [0]))
    }

    @Test func exceptionsByCgroup() throws {
        let subject = Subject(units: ["system.slice"], except: [Subject(cgroups: [.exact("/system.slice/ok.service")])])
        let e = try CapabilityTests.compile([(["CAP_NET_ADMIN"], subject, .deny)])
        #expect(Self.denies(e, "/system.slice/bad.service"))
        #expect(!Self.denies(e, "/system.slice/ok.service"))
        #expect(!Self.denies(e, "/user.slice"))
    }

    @Test func mountRulesTakeCgroupSubjects() throws {
        let rule = Rule(
            operation: .mount(MountMatch(flags: [.bind])), subject: Subject(units: ["pc-test.service"]), action: .deny,
            source: Self.at)
        let compiled = try PolicyCompiler.compile(
            [Policy(name: "m", source: Self.at, mode: .enforce, rules: [rule])], generation: 1)
        let e = ImageEvaluator(compiled.image)
        let call = ImageEvaluator.MountCall(source: "/a", target: "/b", fstype: nil, flags: 4096)
        #expect(e.mount(call, by: Self.task("/system.slice/pc-test.service")) == .deny(rules: [0]))
        #expect(e.mount(call, by: Self.task("/system.slice")) == .allow)
    }

    @Test func theCompilerWritesTheCgroupDFAAndTheNoCgroupSet() throws {
        let e = try CapabilityTests.compile([
            (["CAP_NET_ADMIN"], Subject(units: ["a.service"]), .deny),
            (["CAP_SYS_ADMIN"], Subject(executables: [.exact("/x")]), .deny),
        ])
        let header = Array(e.image.words.prefix(32))
        #expect(header[20] != 0)  // PC_HDR_SUBJECT_CGROUP_DFA
        let noCgroup = Int(header[21])  // PC_HDR_SUBJECT_NO_CGROUP
        #expect(noCgroup != 0 && noCgroup % 8 == 0)
        #expect(e.image.words[noCgroup] == 0b10)  // subject 1 has no cgroup condition, subject 0 has one
        #expect(header[1] == 10)  // PC_ABI_VERSION

        let none = try CapabilityTests.compile([(["CAP_SYS_ADMIN"], Subject(executables: [.exact("/x")]), .deny)])
        #expect(none.image.words[20] == 0)
    }

    @Test func noWarningForUnitsAndCgroupsAnyMore() throws {
        let rule = Rule(
            operation: .capability([Capability(name: "CAP_NET_ADMIN")!]),
            subject: Subject(units: ["a.service"], cgroups: [.exact("/b")]), action: .deny, source: Self.at)
        let compiled = try PolicyCompiler.compile(
            [Policy(name: "c", source: Self.at, mode: .enforce, rules: [rule])], generation: 1)
        #expect(compiled.diagnostics.isEmpty)
        #expect(compiled.rules.count == 1)
    }
}
