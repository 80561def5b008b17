import PortcullisCompiler
import PortcullisPolicy
import Testing

/// `allow` carves an exception out of its own policy's rules, never another's
/// (docs/policy.md, Precedence).
@Suite struct AllowRuleTests {
    static let at = SourceLocation(file: "a.yaml", line: 1, column: 1)
    static let netRaw = Capability(name: "CAP_NET_RAW")!

    static func policy(_ name: String, _ rules: [(Operation, Subject, Action)]) -> Policy {
        Policy(
            name: name, source: at, mode: .enforce,
            rules: rules.map { Rule(operation: $0.0, subject: $0.1, action: $0.2, source: at) })
    }

    static func exec(_ path: PathPattern) -> Operation { .exec(paths: [path], args: nil) }

    @Test func anExecAllowSilencesItsOwnPolicyOnly() throws {
        let own = Self.policy("own", [(Self.exec(.prefix("/usr/")), .everyone, .deny), (Self.exec(.exact("/usr/bin/ls")), .everyone, .allow)])
        let e = ImageEvaluator(try PolicyCompiler.compile([own], generation: 1).image)
        #expect(e.exec(path: Array("/usr/bin/ls".utf8)) == .allow)
        #expect(e.exec(path: Array("/usr/bin/cat".utf8)) == .deny(rules: [0]))

        let other = Self.policy("other", [(Self.exec(.regex("^/usr/bin/l")), .everyone, .audit)])
        let both = ImageEvaluator(try PolicyCompiler.compile([own, other], generation: 1).image)
        #expect(both.exec(path: Array("/usr/bin/ls".utf8)) == .audit(rules: [2]))
    }

    @Test func anExecAllowAlsoCarvesOutFileIdentities() throws {
        let file = FileIdentity(statDevice: 0x801, inode: 42)
        let own = Self.policy("own", [(Self.exec(.exact("/usr/bin/kubectl")), .everyone, .deny), (Self.exec(.exact("/opt/kube/kubectl")), .everyone, .allow)])
        let compiled = try PolicyCompiler.compile([own], generation: 1) { _ in file }  // both paths are the same file
        let e = ImageEvaluator(compiled.image)
        #expect(e.exec(path: Array("/somewhere/else".utf8), identity: file) == .allow)
    }

    @Test func aCapabilityAllowIsAnExceptionOfItsPolicysSubjects() throws {
        let agent = Subject(executables: [.exact("/usr/sbin/agent")], uids: [998])
        let own = Self.policy("own", [(.capability([Self.netRaw]), .everyone, .deny), (.capability([Self.netRaw]), agent, .allow)])
        let e = ImageEvaluator(try PolicyCompiler.compile([own], generation: 1).image)
        var task = ImageEvaluator.Task(executable: "/usr/sbin/agent", arguments: [])
        task.uid = 998
        #expect(e.capable(Self.netRaw.number, by: task) == .allow)
        task.uid = 0
        #expect(e.capable(Self.netRaw.number, by: task) == .deny(rules: [0]))

        let other = Self.policy("other", [(.capability([Self.netRaw]), .everyone, .deny)])
        task.uid = 998
        let both = ImageEvaluator(try PolicyCompiler.compile([own, other], generation: 1).image)
        #expect(both.capable(Self.netRaw.number, by: task) == .deny(rules: [1]))
    }

    @Test func anAllowForEveryoneRemovesThatCapabilityOnly() throws {
        let sysAdmin = Capability(name: "CAP_SYS_ADMIN")!
        let own = Self.policy("own", [(.capability([Self.netRaw, sysAdmin]), .everyone, .deny), (.capability([Self.netRaw]), .everyone, .allow)])
        let e = ImageEvaluator(try PolicyCompiler.compile([own], generation: 1).image)
        #expect(e.capable(Self.netRaw.number, by: .unrecorded) == .allow)
        #expect(e.capable(sysAdmin.number, by: .unrecorded) == .deny(rules: [0]))
    }
}

/// A mount `allow` silences its own policy's mount rules when it matches
/// (pc_mount_pick_step, pass 0), never another policy's.
@Suite struct MountAllowTests {
    static let at = SourceLocation(file: "m.yaml", line: 1, column: 1)
    static let bind: UInt64 = 4096
    typealias Call = ImageEvaluator.MountCall

    static func policy(_ name: String, _ rules: [(MountMatch, Subject, Action)]) -> Policy {
        Policy(
            name: name, source: at, mode: .enforce,
            rules: rules.map { Rule(operation: .mount($0.0), subject: $0.1, action: $0.2, source: at) })
    }

    static let backups = Subject(executables: [.exact("/usr/sbin/backup")])

    static func task(_ exe: String) -> ImageEvaluator.Task { ImageEvaluator.Task(executable: exe, arguments: []) }

    @Test func anAllowSilencesItsPolicyWhereItMatches() throws {
        let own = Self.policy("own", [
            (MountMatch(flags: [.bind]), .everyone, .deny),
            (MountMatch(targets: [.prefix("/srv/backup/")], flags: [.bind]), Self.backups, .allow),
        ])
        let compiled = try PolicyCompiler.compile([own], generation: 1)
        #expect(compiled.diagnostics.isEmpty, "\(compiled.diagnostics)")
        let e = ImageEvaluator(compiled.image)
        let inside = Call(source: "/data", target: "/srv/backup/x", fstype: nil, flags: Self.bind)
        let outside = Call(source: "/data", target: "/mnt/x", fstype: nil, flags: Self.bind)
        #expect(e.mount(inside, by: Self.task("/usr/sbin/backup")) == .allow)
        #expect(e.mount(inside, by: Self.task("/usr/bin/mount")) == .deny(rules: [0]))
        #expect(e.mount(outside, by: Self.task("/usr/sbin/backup")) == .deny(rules: [0]))
    }

    @Test func anAllowLeavesOtherPoliciesAlone() throws {
        let own = Self.policy("own", [
            (MountMatch(flags: [.bind]), .everyone, .deny), (MountMatch(flags: [.bind]), Self.backups, .allow),
        ])
        let other = Self.policy("other", [(MountMatch(flags: [.bind]), .everyone, .audit)])
        let e = ImageEvaluator(try PolicyCompiler.compile([own, other], generation: 1).image)
        let call = Call(source: "/data", target: "/mnt/x", fstype: nil, flags: Self.bind)
        #expect(e.mount(call, by: Self.task("/usr/sbin/backup")) == .audit(rules: [2]))
        #expect(e.mount(call, by: Self.task("/usr/bin/mount")) == .deny(rules: [0]))
    }

    @Test func anAllowGrantsNothingToAMountThatCouldNotBeReadWhole() throws {
        let own = Self.policy("own", [
            (MountMatch(targets: [.prefix("/mnt/p/")], flags: [.bind]), .everyone, .deny),
            (MountMatch(targets: [.prefix("/mnt/p/shared/")], flags: [.bind]), .everyone, .allow),
        ])
        let e = ImageEvaluator(try PolicyCompiler.compile([own], generation: 1).image)
        #expect(e.mount(Call(source: "/srv", target: "/mnt/p/shared/x", fstype: nil, flags: Self.bind), by: .unrecorded) == .allow)
        let detached = Call(source: nil, target: "/mnt/p/shared/x", fstype: nil, flags: 0, detached: true)
        #expect(e.mount(detached, by: .unrecorded) == .deny(rules: [0]))
        let sneaky = Call(source: "/srv/../etc", target: "/mnt/p/shared/x", fstype: nil, flags: Self.bind)
        #expect(e.mount(sneaky, by: .unrecorded) == .deny(rules: [0]))
    }

    @Test func anAllowThatDoesNotMatchSilencesNothing() throws {
        let own = Self.policy("own", [
            (MountMatch(fsTypes: ["tmpfs"]), .everyone, .audit),
            (MountMatch(fsTypes: ["nfs"]), .everyone, .allow),
        ])
        let e = ImageEvaluator(try PolicyCompiler.compile([own], generation: 1).image)
        #expect(e.mount(Call(source: "t", target: "/x", fstype: "tmpfs", flags: 0), by: .unrecorded) == .audit(rules: [0]))
        #expect(e.mount(Call(source: "s:/e", target: "/x", fstype: "nfs", flags: 0), by: .unrecorded) == .allow)
    }
}
