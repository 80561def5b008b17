import PortcullisCompiler
import PortcullisPolicy
import Testing

/// `except` on subjects: a task that is one of a subject's exceptions is not
/// that subject, for that rule only.
@Suite struct ExceptSubjectTests {
    static let netAdmin = Capability(name: "CAP_NET_ADMIN")!.number

    static func task(_ exe: String?, _ args: [String] = [], uid: UInt32 = 0) -> ImageEvaluator.Task {
        var task = exe.map { ImageEvaluator.Task(executable: $0, arguments: args) } ?? .unrecorded
        task.uid = uid
        return task
    }

    @Test func anExceptionRemovesTheTaskFromThatRuleOnly() throws {
        var everyoneBut = Subject()
        everyoneBut.except = [Subject(executables: [.exact("/usr/sbin/agent")])]
        let e = try CapabilityTests.compile([
            (["CAP_NET_ADMIN"], everyoneBut, .deny), (["CAP_NET_ADMIN"], .everyone, .audit),
        ])
        #expect(e.capable(Self.netAdmin, by: Self.task("/usr/sbin/agent")) == .audit(rules: [1]))
        #expect(e.capable(Self.netAdmin, by: Self.task("/usr/bin/ip")) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: Self.task(nil)) == .deny(rules: [0]))
    }

    @Test func exceptionsCombineConditionsAndAnyOneExcepts() throws {
        var subject = Subject(executables: [.prefix("/usr/")])
        subject.except = [
            Subject(executables: [.exact("/usr/sbin/agent")], uids: [998]),
            Subject(args: "^--dry-run"),
        ]
        let e = try CapabilityTests.compile([(["CAP_NET_ADMIN"], subject, .deny)])
        #expect(e.capable(Self.netAdmin, by: Self.task("/usr/sbin/agent", uid: 998)) == .allow)
        #expect(e.capable(Self.netAdmin, by: Self.task("/usr/sbin/agent", uid: 0)) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: Self.task("/usr/bin/ip", ["--dry-run", "x"])) == .allow)
        #expect(e.capable(Self.netAdmin, by: Self.task("/usr/bin/ip", ["x", "--dry-run"])) == .deny(rules: [0]))
        #expect(e.capable(Self.netAdmin, by: Self.task("/opt/x")) == .allow)
    }

    @Test func theSameSubjectWithoutExceptionsStillMatches() throws {
        let plain = Subject(executables: [.exact("/usr/bin/ip")])
        var excepting = plain
        excepting.except = [Subject(uids: [0])]
        let e = try CapabilityTests.compile([
            (["CAP_NET_ADMIN"], excepting, .deny), (["CAP_SYS_ADMIN"], plain, .deny),
        ])
        let root = Self.task("/usr/bin/ip", uid: 0)
        #expect(e.capable(Self.netAdmin, by: root) == .allow)
        #expect(e.capable(Self.netAdmin, by: Self.task("/usr/bin/ip", uid: 5)) == .deny(rules: [0]))
        #expect(e.capable(Capability(name: "CAP_SYS_ADMIN")!.number, by: root) == .deny(rules: [1]))
    }

    @Test func unitExceptionsAreEnforced() throws {
        var subject = Subject()
        subject.except = [Subject(units: ["agent.service"])]
        let at = SourceLocation(file: "c.yaml", line: 1, column: 1)
        let rule = Rule(operation: .capability([Capability(name: "CAP_NET_ADMIN")!]), subject: subject, action: .deny, source: at)
        let compiled = try PolicyCompiler.compile([Policy(name: "c", source: at, mode: .enforce, rules: [rule])], generation: 1)
        #expect(compiled.rules.count == 1)
        #expect(compiled.diagnostics.isEmpty)
        let e = ImageEvaluator(compiled.image)
        let agent = ImageEvaluator.Task(executable: "/usr/bin/ip", arguments: [], cgroup: "/system.slice/agent.service")
        let other = ImageEvaluator.Task(executable: "/usr/bin/ip", arguments: [], cgroup: "/system.slice/other.service")
        #expect(e.capable(Self.netAdmin, by: agent) == .allow)
        #expect(e.capable(Self.netAdmin, by: other) == .deny(rules: [0]))
    }
}
