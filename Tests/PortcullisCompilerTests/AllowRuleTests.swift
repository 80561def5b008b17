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
