import Foundation
import PortcullisCompiler
import PortcullisKernel
import PortcullisPolicy
import Testing

@testable import PortcullisDaemon
import PortcullisGeneration

/// `portcullis status` names what the kernel holds with what the daemon wrote.
@Suite struct StatusReportTests {
    static let policies = """
        apiVersion: portcullis/v1alpha1
        kind: Policy
        metadata: { name: no-tools }
        spec:
          rules:
            - exec: { path: /usr/bin/kubectl }
              action: deny
            - capability: [CAP_NET_ADMIN]
              action: audit
        """

    static func compiled(generation: UInt64) throws -> (CompiledPolicy, [PolicyFile]) {
        let file = PolicyReader.read(Array(policies.utf8), file: "/etc/policies.d/10-tools.yaml")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        return (try PolicyCompiler.compile(file.policies, generation: generation), [file])
    }

    static func kernel(_ compiled: CompiledPolicy, generation: UInt64, hits: [Int: UInt64]) -> PinnedStatus {
        let keys = RuleKey.keys(of: compiled.rules)
        return PinnedStatus(
            programIDs: Dictionary(uniqueKeysWithValues: Enforcer.programs.enumerated().map { ($1, UInt32($0 + 10)) }),
            generation: generation, ruleCount: compiled.rules.count, ruleKeys: keys,
            hits: Dictionary(uniqueKeysWithValues: hits.map { (keys[$0.key], $0.value) }),
            statistics: EventStatistics(sent: 5))
    }

    @Test func namesEachRuleWithItsHits() throws {
        let (compiled, files) = try Self.compiled(generation: 4)
        var state = DaemonState(pid: 77, policyDirectory: "/etc/policies.d", generation: 0)
        state.applied(compiled, generation: 4, files: files, at: 0)
        let report = StatusReport(
            kernel: Self.kernel(compiled, generation: 4, hits: [0: 3]), pins: "/pins", state: state,
            isRunning: { $0 == 77 })
        #expect(report.enforcing && report.daemonRunning)
        #expect(report.rules.count == 2)
        #expect(report.rules[0].hits == 3 && report.rules[1].hits == 0)
        #expect(report.rules[0].operation == "exec /usr/bin/kubectl")
        #expect(report.rules[0].source == "/etc/policies.d/10-tools.yaml:6:7")
        #expect(report.rules[1].action == "audit")
        #expect(report.policies.map(\.name) == ["no-tools"] && report.policies[0].rules == 2)
        #expect(report.notes.isEmpty)
        #expect(report.text.contains("#0 hits 3 deny exec /usr/bin/kubectl (no-tools at /etc/policies.d/10-tools.yaml:6:7)"))
    }

    @Test func saysWhenTheStateFileDescribesAnotherGeneration() throws {
        let (compiled, files) = try Self.compiled(generation: 4)
        var state = DaemonState(pid: 77, policyDirectory: "/etc/policies.d", generation: 0)
        state.applied(compiled, generation: 3, files: files, at: 0)
        let report = StatusReport(
            kernel: Self.kernel(compiled, generation: 4, hits: [:]), pins: "/pins", state: state, isRunning: { _ in false })
        #expect(!report.daemonRunning)
        #expect(report.rules.allSatisfy { $0.policy == nil && $0.operation == nil })
        #expect(report.notes.contains { $0.contains("generation 3") && $0.contains("generation 4") })
        #expect(report.text.contains("daemon: not running"))
    }

    @Test func reportsFilesNotInForceAndTheirErrors() throws {
        let good = PolicyReader.read(Array(Self.policies.utf8), file: "/p/10-tools.yaml")
        let broken = PolicyReader.read(Array("apiVersion: [".utf8), file: "/p/20-broken.yaml")
        var reconciler = Reconciler()
        let outcome = reconciler.reconcile([good, broken])
        var state = DaemonState(pid: 1, policyDirectory: "/p", generation: 0)
        state.reconciled(outcome, current: [good, broken])
        #expect(state.files.map(\.use) == [.current, .refused])
        #expect(state.problems.contains { $0.file == "/p/20-broken.yaml" && $0.line == 1 })
    }

    @Test func stateFileRoundTripsAndIsReplacedWhole() throws {
        let (compiled, files) = try Self.compiled(generation: 2)
        var state = DaemonState(pid: 9, policyDirectory: "/p", generation: 0)
        state.applied(compiled, generation: 2, files: files, at: 1_700_000_000)
        let dir = NSTemporaryDirectory() + "state-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try state.write(to: dir + "/state.json")
        #expect(try DaemonState.read(dir + "/state.json") == state)
        #expect(!FileManager.default.fileExists(atPath: dir + "/state.json.new"))
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/state.json")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try DaemonState.read(dir + "/missing.json") == nil)
    }
}

/// The daemon keeps the compiled rules of the generation it applied, not their
/// descriptions: those are made when the state is written, and must be what
/// the file says of each rule.
@Suite struct StateRuleDescriptionTests {
    @Test func theWrittenRulesDescribeTheAppliedOnes() throws {
        let (compiled, files) = try StatusReportTests.compiled(generation: 5)
        var state = DaemonState(pid: 3, policyDirectory: "/etc/policies.d", generation: 0)
        state.applied(compiled, generation: 5, files: files, at: 0)
        let json = try JSONSerialization.jsonObject(with: try state.encoded()) as? [String: Any]
        let written = try #require(json?["rules"] as? [[String: Any]])
        let keys = RuleKey.keys(of: compiled.rules)
        #expect(written.count == compiled.rules.count)
        for (entry, (rule, key)) in zip(written, zip(compiled.rules, keys)) {
            #expect(entry["index"] as? Int == rule.index)
            #expect(entry["key"] as? String == key.description)
            #expect(entry["policy"] as? String == rule.policy)
            #expect(entry["action"] as? String == rule.action.rawValue)
            #expect(entry["operation"] as? String == rule.rule.operation.summary)
            #expect(entry["file"] as? String == rule.rule.source.file)
            #expect(entry["line"] as? Int == rule.rule.source.line)
        }
        // Read back, the descriptions are the state's rules: the two states are equal.
        let read = try JSONDecoder().decode(DaemonState.self, from: try state.encoded())
        #expect(read.rules == state.rules && read == state)
    }
}

/// Status tells whether the host is locked and what the daemon saw of tampering.
@Suite struct StatusTamperingTests {
    @Test func tamperingAndLockAreReported() throws {
        let (compiled, files) = try StatusReportTests.compiled(generation: 2)
        var state = DaemonState(pid: 77, policyDirectory: "/etc/policies.d", generation: 0)
        state.applied(compiled, generation: 2, files: files, at: 0)
        let quiet = StatusReport(
            kernel: StatusReportTests.kernel(compiled, generation: 2, hits: [:]), pins: "/pins", state: state,
            isRunning: { _ in true })
        #expect(quiet.text.contains("tamper protection: on (the daemon alone changes enforcement), not locked"))
        #expect(!quiet.text.contains("TAMPERING"))

        state.locked = true
        state.tampered("deny bpf_map a writable descriptor for map pc_image by pid 9 (bpftool, uid 0)", repaired: false, at: 0)
        state.tampered("/pins/maps/pc_meta was missing: pinned again", repaired: true, at: 0)
        state.tampered("/pins/links/pc_exec was missing: pinned again", repaired: true, at: 0)
        let report = StatusReport(
            kernel: StatusReportTests.kernel(compiled, generation: 2, hits: [:]), pins: "/pins", state: state,
            isRunning: { _ in true })
        #expect(report.locked)
        #expect(report.tampering?.refused == 1 && report.tampering?.repaired == 2)
        #expect(report.text.contains("tamper protection: locked until reboot"))
        #expect(report.text.contains("TAMPERING since the daemon started: 1 attempt refused, 2 repairs"))
        #expect(report.text.contains("/pins/links/pc_exec was missing: pinned again"))
    }
}
