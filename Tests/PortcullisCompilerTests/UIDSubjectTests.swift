import PortcullisCompiler
import PortcullisPolicy
import Testing

/// uid conditions on subjects: decided from the acting task's real uid at the
/// moment of the decision, read from the image as the kernel reads it.
@Suite struct UIDSubjectTests {
    static let netAdmin = Capability(name: "CAP_NET_ADMIN")!.number

    static func task(uid: UInt32, exe: String? = nil) -> ImageEvaluator.Task {
        var task = exe.map { ImageEvaluator.Task(executable: $0, arguments: []) } ?? .unrecorded
        task.uid = uid
        return task
    }

    @Test func aUIDConditionMatchesOnlyThoseUIDs() throws {
        let e = try CapabilityTests.compile([(["CAP_NET_ADMIN"], Subject(uids: [1000, 1001]), .deny)])
        #expect(e.capable(Self.netAdmin, by: Self.task(uid: 1000)) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: Self.task(uid: 1001)) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: Self.task(uid: 0)) == .allow)
        #expect(e.capable(Self.netAdmin, by: Self.task(uid: 1002)) == .allow)
    }

    @Test func uidAndExecutableMustBothMatch() throws {
        let subject = Subject(executables: [.exact("/usr/bin/mount")], uids: [1000])
        let e = try CapabilityTests.compile([
            (["CAP_NET_ADMIN"], subject, .deny), (["CAP_NET_ADMIN"], Subject(uids: [7]), .audit),
        ])
        #expect(e.capable(Self.netAdmin, by: Self.task(uid: 1000, exe: "/usr/bin/mount")) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: Self.task(uid: 1000, exe: "/usr/bin/true")) == .allow)
        #expect(e.capable(Self.netAdmin, by: Self.task(uid: 0, exe: "/usr/bin/mount")) == .allow)
        #expect(e.capable(Self.netAdmin, by: Self.task(uid: 7)) == .audit(rules: [1]))
    }

    @Test func subjectsWithoutUIDConditionsAreUnaffected() throws {
        let e = try CapabilityTests.compile([
            (["CAP_NET_ADMIN"], .everyone, .audit), (["CAP_NET_ADMIN"], Subject(uids: [1000]), .deny),
        ])
        #expect(e.capable(Self.netAdmin, by: Self.task(uid: 0)) == .audit(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: Self.task(uid: 1000)) == .deny(rules: [1]))
    }

    /// Many uids: the buckets grow until each holds at most one line's worth,
    /// and every uid is still found (and no other).
    @Test func manyUIDsAreAllFound() throws {
        let uids = (0..<300).map { UInt32($0 * 7919 % 65_536) }
        let subjects = stride(from: 0, to: uids.count, by: 3).map { Subject(uids: Array(uids[$0..<min($0 + 3, uids.count)])) }
        let e = try CapabilityTests.compile(subjects.map { (["CAP_NET_ADMIN"], $0, Action.deny) })
        for (index, uid) in uids.enumerated() {
            #expect(e.capable(Self.netAdmin, by: Self.task(uid: uid)) == .deny(rules: [index / 3]), "uid \(uid)")
        }
        for uid: UInt32 in [1, 65_537, 4_294_967_294] where !uids.contains(uid) {
            #expect(e.capable(Self.netAdmin, by: Self.task(uid: uid)) == .allow)
        }
    }

    @Test func mountRulesHonourUIDs() throws {
        let at = SourceLocation(file: "m.yaml", line: 1, column: 1)
        let rule = Rule(
            operation: .mount(MountMatch(flags: [.bind])), subject: Subject(uids: [1000]), action: .deny, source: at)
        let image = try PolicyCompiler.compile([Policy(name: "m", source: at, mode: .enforce, rules: [rule])], generation: 1)
        let e = ImageEvaluator(image.image)
        let bind = ImageEvaluator.MountCall(source: "/a", target: "/b", fstype: nil, flags: 4096)
        #expect(e.mount(bind, by: Self.task(uid: 1000)) == .deny(rules: [0]))
        #expect(e.mount(bind, by: Self.task(uid: 0)) == .allow)
    }
}
