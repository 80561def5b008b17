@testable import PortcullisCompiler
import PortcullisPolicy
import Testing

/// Exec rules with conditions: on the caller (a subject, checked by the exec hook)
/// and on the new program's arguments (checked once the exec completed, where a
/// denial kills), read from the image as the kernel reads it.
@Suite struct ExecConditionTests {
    static let at = SourceLocation(file: "a.yaml", line: 1, column: 1)
    static let kubectl = Array("/usr/bin/kubectl".utf8)

    static func compile(_ rules: [(Operation, Subject, Action)], mode: Policy.Mode = .enforce) throws -> ImageEvaluator {
        let policy = Policy(
            name: "p", source: at, mode: mode,
            rules: rules.map { Rule(operation: $0.0, subject: $0.1, action: $0.2, source: at) })
        let compiled = try PolicyCompiler.compile([policy], generation: 1)
        #expect(compiled.diagnostics.isEmpty, "\(compiled.diagnostics)")
        return ImageEvaluator(compiled.image)
    }

    static func exec(_ path: PathPattern, args: String? = nil) -> Operation { .exec(paths: [path], args: args) }

    static func task(_ exe: String, _ arguments: [String] = [], uid: UInt32 = 0) -> ImageEvaluator.Task {
        var task = ImageEvaluator.Task(executable: exe, arguments: arguments)
        task.uid = uid
        return task
    }

    @Test func anArgumentConditionIsDecidedOnceTheExecCompleted() throws {
        let e = try Self.compile([(Self.exec(.exact("/usr/bin/kubectl"), args: "^exec( |$)"), .everyone, .deny)])
        let denied = e.execSteps(path: Self.kubectl, arguments: ["exec", "-it", "pod"])
        #expect(denied.atHook == .allow)
        #expect(denied.afterExec == .deny(rules: [0]))
        #expect(denied.decision == .deny(rules: [0]))
        #expect(e.exec(path: Self.kubectl, arguments: ["get", "pods"]) == .allow)
        #expect(e.exec(path: Self.kubectl, arguments: ["get", "exec"]) == .allow)
        #expect(e.exec(path: Array("/usr/bin/kubectlx".utf8), arguments: ["exec"]) == .allow)
    }

    @Test func theSeedsArgsRegexOnAnExecRequirementIsEnforced() throws {
        let yaml = """
            apiVersion: cilium.io/v1alpha1
            kind: CiliumNetworkPolicy
            metadata:
              name: no-kubectl-exec
            spec:
              endpointSelector: {}
              runtime:
                requirements:
                  - matchProcesses:
                      - pathRegex: "^/usr/bin/kubectl$"
                        argsRegex: ".*exec.*"
                    matchActions:
                      - deny

            """
        let read = PolicyReader.read(Array(yaml.utf8), file: "seed-like.yaml")
        #expect(read.policies.count == 1)
        let compiled = try PolicyCompiler.compile(read.policies, generation: 1)
        #expect(compiled.diagnostics.isEmpty, "\(compiled.diagnostics)")
        let e = ImageEvaluator(compiled.image)
        #expect(e.exec(path: Self.kubectl, arguments: ["exec", "pod", "--", "sh"]).strength == 2)
        #expect(e.exec(path: Self.kubectl, arguments: ["get", "pods"]) == .allow)
    }

    @Test func aCallerConditionIsCheckedByTheExecHook() throws {
        let shells = Subject(executables: [.exact("/usr/bin/bash")], uids: [1000])
        let e = try Self.compile([(Self.exec(.prefix("/usr/bin/")), shells, .deny)])
        let steps = e.execSteps(path: Array("/usr/bin/id".utf8), caller: Self.task("/usr/bin/bash", uid: 1000))
        #expect(steps.atHook == .deny(rules: [0]))
        #expect(steps.afterExec == nil)
        #expect(e.exec(path: Array("/usr/bin/id".utf8), caller: Self.task("/usr/bin/bash", uid: 0)) == .allow)
        #expect(e.exec(path: Array("/usr/bin/id".utf8), caller: Self.task("/usr/bin/dash", uid: 1000)) == .allow)
        #expect(e.exec(path: Array("/usr/bin/id".utf8), caller: .unrecorded) == .allow)
    }

    @Test func callerAndArgumentsMustBothHold() throws {
        let cron = Subject(executables: [.exact("/usr/sbin/cron")])
        let e = try Self.compile([(Self.exec(.exact("/usr/bin/curl"), args: "http://"), cron, .deny)])
        let curl = Array("/usr/bin/curl".utf8)
        #expect(e.exec(path: curl, caller: Self.task("/usr/sbin/cron"), arguments: ["http://x"]).strength == 2)
        #expect(e.exec(path: curl, caller: Self.task("/usr/sbin/cron"), arguments: ["https://x"]) == .allow)
        #expect(e.exec(path: curl, caller: Self.task("/usr/bin/bash"), arguments: ["http://x"]) == .allow)
    }

    @Test func theHooksDenialStandsAndAnAuditLaterDoesNotWeakenIt() throws {
        let e = try Self.compile([
            (Self.exec(.exact("/usr/bin/kubectl")), .everyone, .audit),
            (Self.exec(.exact("/usr/bin/kubectl"), args: "delete"), .everyone, .deny),
        ])
        let steps = e.execSteps(path: Self.kubectl, arguments: ["delete", "ns", "x"])
        #expect(steps.atHook == .audit(rules: [0]))
        #expect(steps.afterExec == .deny(rules: [1]))
        #expect(steps.decision == .deny(rules: [1]))
        #expect(e.exec(path: Self.kubectl, arguments: ["get"]) == .audit(rules: [0]))
    }

    @Test func auditModeTurnsAnArgumentDenialIntoAnAudit() throws {
        let e = try Self.compile([(Self.exec(.exact("/usr/bin/kubectl"), args: "exec"), .everyone, .deny)], mode: .audit)
        #expect(e.exec(path: Self.kubectl, arguments: ["exec"]) == .audit(rules: [0]))
    }

    @Test func aLongPathIsMatchedWhole() throws {
        let long = "/opt/" + String(repeating: "d", count: 300) + "/tool"
        let e = try Self.compile([(Self.exec(.regex("^/opt/d+/tool$"), args: "x"), .everyone, .deny)])
        #expect(e.exec(path: Array(long.utf8), arguments: ["y"]) == .allow)
        #expect(e.exec(path: Array(long.utf8), arguments: ["x"]) == .deny(rules: [0]))
        #expect(e.exec(path: Array((long + "s").utf8), arguments: ["x"]) == .allow)
    }

    @Test func argumentsTooLongForTheRecordMeetTheConditionWhileItMayStillMatch() throws {
        let e = try Self.compile([(Self.exec(.exact("/usr/bin/kubectl"), args: "^get .*secret"), .everyone, .deny)])
        let padding = String(repeating: "a", count: 300)
        #expect(e.exec(path: Self.kubectl, arguments: ["get", padding]).strength == 2)
        #expect(e.exec(path: Self.kubectl, arguments: ["delete", padding]) == .allow)
    }

    @Test func anExecutableMappingOutsideAnExecCountsArgumentConditionsAsMet() throws {
        let e = try Self.compile([
            (Self.exec(.exact("/usr/bin/kubectl"), args: "exec"), .everyone, .deny),
            (Self.exec(.exact("/usr/bin/helm"), args: "x"), .everyone, .audit),
        ])
        #expect(e.executableMapping(path: Self.kubectl) == .deny(rules: [0]))
        #expect(e.executableMapping(path: Array("/usr/bin/helm".utf8)) == .allow)  // only denials act there
        #expect(e.exec(path: Self.kubectl, arguments: []) == .allow)
    }

    @Test func rulesRecordTheirConditionsInTheImage() throws {
        let caller = Subject(uids: [1000])
        let compiled = try PolicyCompiler.compile(
            [Policy(name: "p", source: Self.at, mode: .enforce, rules: [
                Rule(operation: Self.exec(.exact("/a")), subject: .everyone, action: .deny, source: Self.at),
                Rule(operation: Self.exec(.exact("/b"), args: "z"), subject: caller, action: .deny, source: Self.at),
            ])], generation: 1)
        let image = compiled.image
        let rule = { (i: Int, word: Int) in image[Int(image[ABI.Header.rules]) + i * ABI.Rule.words + word] }
        #expect(rule(1, ABI.Rule.caller) != 0 && rule(1, ABI.Rule.args) != 0)
        #expect(rule(1, ABI.Rule.caller) != rule(1, ABI.Rule.args))
        #expect(rule(0, ABI.Rule.caller) == 0 && rule(0, ABI.Rule.args) == 0)
        #expect(image[ABI.Header.execConditions] == 3)
    }

    static func policy(_ name: String, _ rules: [(Operation, Subject, Action)]) -> Policy {
        Policy(
            name: name, source: at, mode: .enforce,
            rules: rules.map { Rule(operation: $0.0, subject: $0.1, action: $0.2, source: at) })
    }

    @Test func anAllowWithACallerConditionSilencesItsPolicyForThatCaller() throws {
        let own = Self.policy("own", [
            (Self.exec(.prefix("/usr/bin/")), .everyone, .deny),
            (Self.exec(.exact("/usr/bin/ls")), Subject(uids: [1000]), .allow),
        ])
        let other = Self.policy("other", [(Self.exec(.exact("/usr/bin/ls")), .everyone, .audit)])
        let compiled = try PolicyCompiler.compile([own, other], generation: 1)
        #expect(compiled.diagnostics.isEmpty, "\(compiled.diagnostics)")
        let e = ImageEvaluator(compiled.image)
        let ls = Array("/usr/bin/ls".utf8)
        #expect(e.exec(path: ls, caller: Self.task("/usr/bin/bash", uid: 1000)) == .audit(rules: [2]))
        #expect(e.exec(path: ls, caller: Self.task("/usr/bin/bash", uid: 0)) == .deny(rules: [0]))
        #expect(e.exec(path: Array("/usr/bin/cat".utf8), caller: Self.task("/usr/bin/bash", uid: 1000)) == .deny(rules: [0]))
    }

    @Test func anAllowWithAnArgumentConditionDefersItsPolicyToTheCompletedExec() throws {
        let own = Self.policy("own", [
            (Self.exec(.exact("/usr/bin/kubectl")), .everyone, .deny),
            (Self.exec(.exact("/usr/bin/kubectl"), args: "^get( |$)"), .everyone, .allow),
        ])
        let e = ImageEvaluator(try PolicyCompiler.compile([own], generation: 1).image)
        let get = e.execSteps(path: Self.kubectl, arguments: ["get", "pods"])
        #expect(get.atHook == .allow)
        #expect(get.afterExec == .allow)
        let exec = e.execSteps(path: Self.kubectl, arguments: ["exec", "pod"])
        #expect(exec.atHook == .allow)
        #expect(exec.afterExec == .deny(rules: [0]))
        // A mapping outside an exec cannot know the arguments: the allow grants nothing.
        #expect(e.executableMapping(path: Self.kubectl) == .deny(rules: [0]))
    }

    @Test func tooManyPoliciesWaitingForTheArgumentsFailClosed() throws {
        let policies = (0..<(ABI.quietMax + 1)).map { n in
            Self.policy("p\(n)", [
                (Self.exec(.exact("/usr/bin/kubectl")), .everyone, .deny),
                (Self.exec(.exact("/usr/bin/kubectl"), args: "^get( |$)"), .everyone, .allow),
            ])
        }
        let e = ImageEvaluator(try PolicyCompiler.compile(policies, generation: 1).image)
        let steps = e.execSteps(path: Self.kubectl, arguments: ["get"])
        #expect(steps.atHook.strength == 2)  // the policy that did not fit is decided at once, without its allow
        let fits = ImageEvaluator(try PolicyCompiler.compile(Array(policies.prefix(ABI.quietMax)), generation: 1).image)
        #expect(fits.exec(path: Self.kubectl, arguments: ["get"]) == .allow)
    }
}
