import PortcullisCompiler
import PortcullisPolicy
import Testing

/// Mount rules decided from the image as bpf/mount.bpf.c decides them.
@Suite struct MountTests {
    static let at = SourceLocation(file: "m.yaml", line: 1, column: 1)
    static let bind: UInt64 = 4096
    static let rec: UInt64 = 16384
    static let rdonly: UInt64 = 1

    static func evaluator(_ rules: [(MountMatch, Subject, Action)]) throws -> ImageEvaluator {
        let policy = Policy(
            name: "m", source: at, mode: .enforce,
            rules: rules.map { Rule(operation: .mount($0.0), subject: $0.1, action: $0.2, source: at) })
        return ImageEvaluator(try PolicyCompiler.compile([policy], generation: 1).image)
    }

    typealias Call = ImageEvaluator.MountCall

    @Test func bindMountsUnderATargetPrefix() throws {
        let e = try Self.evaluator([(MountMatch(targets: [.prefix("/mnt/protected/")], flags: [.bind]), .everyone, .deny)])
        #expect(e.mount(Call(source: "/srv/a", target: "/mnt/protected/x", fstype: nil, flags: Self.bind), by: .unrecorded) == .deny(rules: [0]))
        #expect(e.mount(Call(source: "/srv/a", target: "/mnt/other", fstype: nil, flags: Self.bind), by: .unrecorded) == .allow)
        #expect(e.mount(Call(source: "t", target: "/mnt/protected/x", fstype: "tmpfs", flags: 0), by: .unrecorded) == .allow)
    }

    @Test func everyRequiredFlagMustBeThere() throws {
        let e = try Self.evaluator([(MountMatch(flags: [.bind, .recursive]), .everyone, .deny)])
        #expect(e.mount(Call(source: "/a", target: "/b", fstype: nil, flags: Self.bind | Self.rec), by: .unrecorded) == .deny(rules: [0]))
        #expect(e.mount(Call(source: "/a", target: "/b", fstype: nil, flags: Self.bind), by: .unrecorded) == .allow)
    }

    @Test func fstypeAndSourceConditions() throws {
        let e = try Self.evaluator([
            (MountMatch(fsTypes: ["tmpfs"]), .everyone, .audit),
            (MountMatch(sources: [.prefix("/etc")], flags: [.bind]), .everyone, .deny),
        ])
        #expect(e.mount(Call(source: "none", target: "/x", fstype: "tmpfs", flags: 0), by: .unrecorded) == .audit(rules: [0]))
        #expect(e.mount(Call(source: "none", target: "/x", fstype: "tmpfs2", flags: 0), by: .unrecorded) == .allow)
        #expect(e.mount(Call(source: "/etc", target: "/x", fstype: nil, flags: Self.bind), by: .unrecorded) == .deny(rules: [1]))
        #expect(e.mount(Call(source: "/srv", target: "/x", fstype: nil, flags: Self.bind), by: .unrecorded) == .allow)
    }

    @Test func nonCanonicalSourcesAndTheNewMountAPIFailClosed() throws {
        let e = try Self.evaluator([(MountMatch(sources: [.prefix("/etc")], flags: [.bind]), .everyone, .deny)])
        for source in ["srv/../etc", "/srv/../etc", "/srv//x", "/srv/./x"] {
            #expect(e.mount(Call(source: source, target: "/x", fstype: nil, flags: Self.bind), by: .unrecorded) == .deny(rules: [0]), "\(source)")
        }
        #expect(e.mount(Call(source: nil, target: "/x", fstype: nil, flags: 0, detached: true), by: .unrecorded) == .deny(rules: [0]))
    }

    @Test func aMoveMeetsABindCondition() throws {
        let move: UInt64 = 8192
        let e = try Self.evaluator([
            (MountMatch(targets: [.prefix("/etc/")], flags: [.bind]), .everyone, .deny),
            (MountMatch(targets: [.prefix("/srv/")], flags: [.readOnly]), .everyone, .deny),
        ])
        // mount --bind /x /tmp/y; mount --move /tmp/y /etc/z: the move may bring a bind mount.
        #expect(e.mount(Call(source: "/tmp/y", target: "/etc/z", fstype: nil, flags: move), by: .kernelThread) == .deny(rules: [0]))
        #expect(e.mount(Call(source: "/tmp/y", target: "/mnt/z", fstype: nil, flags: move), by: .kernelThread) == .allow)
        // It meets bind only: other flags a rule requires still have to be there.
        #expect(e.mount(Call(source: "/tmp/y", target: "/srv/z", fstype: nil, flags: move), by: .kernelThread) == .allow)
        // The new mount API, judged by its target.
        #expect(e.mount(Call(source: nil, target: "/mnt/z", fstype: nil, flags: 0, detached: true), by: .kernelThread) == .allow)
        #expect(e.mount(Call(source: nil, target: "/etc/z", fstype: nil, flags: 0, detached: true), by: .kernelThread) == .deny(rules: [0]))
    }

    @Test func theNewMountAPIIsJudgedByItsSourceAndType() throws {
        let e = try Self.evaluator([
            (MountMatch(sources: [.exact("/srv/secret")], flags: [.bind]), .everyone, .deny),
            (MountMatch(fsTypes: ["ramfs"]), .everyone, .audit),
        ])
        let clone = { (source: String) in Call(source: source, target: "/mnt/x", fstype: "ext4", flags: 0, detached: true) }
        #expect(e.mount(clone("/srv/secret"), by: .kernelThread) == .deny(rules: [0]))
        #expect(e.mount(clone("/srv/data"), by: .kernelThread) == .allow)
        // fsmount: the filesystem's own source ("none" is not a path, and not a bind from anywhere).
        #expect(e.mount(Call(source: "none", target: "/mnt/x", fstype: "tmpfs", flags: 0, detached: true), by: .kernelThread) == .allow)
        #expect(e.mount(Call(source: "none", target: "/mnt/x", fstype: "ramfs", flags: 0, detached: true), by: .kernelThread) == .audit(rules: [1]))
        // Unreadable source or type: every condition on it holds.
        #expect(e.mount(Call(source: nil, target: "/mnt/x", fstype: "tmpfs", flags: 0, detached: true), by: .kernelThread) == .deny(rules: [0]))
        #expect(e.mount(Call(source: "none", target: "/mnt/x", fstype: nil, flags: 0, detached: true), by: .kernelThread) == .audit(rules: [1]))
    }

    @Test func aSourceConditionSaysMountSourcesAreNotResolved() throws {
        let at = SourceLocation(file: "m.yaml", line: 7, column: 5)
        let rule = { (match: MountMatch) in Rule(operation: .mount(match), subject: .everyone, action: .deny, source: at) }
        let withSource = try PolicyCompiler.compile(
            [Policy(name: "m", source: at, mode: .enforce, rules: [rule(MountMatch(sources: [.prefix("/etc")]))])],
            generation: 1)
        let warning = try #require(withSource.diagnostics.first)
        #expect(warning.severity == .warning && (warning.line, warning.column) == (7, 5))
        #expect(warning.message.contains("symlink") && warning.message.contains("not resolved"))
        let targetOnly = try PolicyCompiler.compile(
            [Policy(name: "m", source: at, mode: .enforce, rules: [rule(MountMatch(targets: [.prefix("/etc")]))])],
            generation: 1)
        #expect(targetOnly.diagnostics.isEmpty)
    }

    @Test func subjectsScopeMountRules() throws {
        let mountBinary = Subject(executables: [.exact("/usr/bin/mount")])
        let e = try Self.evaluator([(MountMatch(flags: [.bind]), mountBinary, .deny)])
        let call = Call(source: "/a", target: "/b", fstype: nil, flags: Self.bind)
        #expect(e.mount(call, by: .init(executable: "/usr/bin/mount", arguments: [])) == .deny(rules: [0]))
        #expect(e.mount(call, by: .init(executable: "/usr/bin/python3", arguments: [])) == .allow)
        #expect(e.mount(call, by: .unrecorded) == .deny(rules: [0]))  // unknown: fail closed
        #expect(e.mount(call, by: .kernelThread) == .allow)
    }
}
