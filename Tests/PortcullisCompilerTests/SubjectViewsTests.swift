import PortcullisCompiler
import PortcullisPolicy
import Testing

/// SubjectViews: what the tasks' views of an image depend on. Equal for images
/// whose subjects have the same conditions on the executable, the arguments and
/// the cgroup (the loader keeps the views across their swap); different as soon
/// as one of those conditions, or the numbering of the subjects, differs.
@Suite struct SubjectViewsTests {
    static let at = SourceLocation(file: "v.yaml", line: 1, column: 1)

    static func views(_ rules: [Rule]) throws -> SubjectViews {
        try PolicyCompiler.compile([Policy(name: "v", source: at, mode: .enforce, rules: rules)], generation: 7).subjectViews
    }

    static func capability(_ subject: Subject, _ action: Action = .deny, _ name: String = "CAP_CHOWN") -> Rule {
        Rule(operation: .capability([Capability(name: name)!]), subject: subject, action: action, source: at)
    }

    static func exec(_ path: String) -> Rule {
        Rule(operation: .exec(paths: [.exact(path)], args: nil), subject: .everyone, action: .deny, source: at)
    }

    static let probe = Subject(executables: [.exact("/usr/bin/python3")], args: "^probe ")

    @Test func anUnrelatedRuleLeavesTheViewsAsTheyWere() throws {
        let before = try Self.views([Self.capability(Self.probe)])
        #expect(before != .none)
        #expect(try Self.views([Self.capability(Self.probe), Self.exec("/usr/local/bin/tool")]) == before)
        // Conditions the view does not hold: another action, capability or uid-free change.
        #expect(try Self.views([Self.capability(Self.probe, .audit, "CAP_NET_ADMIN")]) == before)
    }

    @Test func anotherConditionOnTheExecutableTheArgumentsOrTheCgroupIsOtherViews() throws {
        let before = try Self.views([Self.capability(Self.probe)])
        var otherArgs = Self.probe
        otherArgs.args = "^probe x"
        var otherExe = Self.probe
        otherExe.executables = [.exact("/usr/bin/python3.11")]
        var withCgroup = Self.probe
        withCgroup.units = ["cron.service"]
        for subject in [otherArgs, otherExe, withCgroup] {
            #expect(try Self.views([Self.capability(subject)]) != before)
        }
        // A second subject, or the same two in the other order (their numbers differ).
        let other = Subject(args: "^other ")
        let two = try Self.views([Self.capability(Self.probe), Self.capability(other, .deny, "CAP_FOWNER")])
        #expect(two != before)
        #expect(try Self.views([Self.capability(other, .deny, "CAP_FOWNER"), Self.capability(Self.probe)]) != two)
    }

    @Test func noSubjectsIsNoViewsAndTheCompiledEpochIsZero() throws {
        let compiled = try PolicyCompiler.compile(
            [Policy(name: "v", source: Self.at, mode: .enforce, rules: [Self.exec("/usr/local/bin/tool")])], generation: 9)
        #expect(compiled.subjectViews == .none)
        #expect(compiled.image.subjectEpoch == 0)  // the loader sets it
        let withSubjects = try PolicyCompiler.compile(
            [Policy(name: "v", source: Self.at, mode: .enforce, rules: [Self.capability(Self.probe)])], generation: 9)
        #expect(withSubjects.image.subjectEpoch == 0)
        #expect(withSubjects.image.hasSubjects)
    }
}
