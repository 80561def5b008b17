import PortcullisJournal
import Testing

@Suite struct DecisionEntryTests {
    static let rule = Decision.Rule(id: 7, policy: "no-kubectl", file: "/etc/policies.d/k.yaml", line: 9)
    static let process = Decision.Process(
        pid: 4242, tgid: 4240, uid: 1000, comm: "bash", exe: "/usr/bin/bash", cgroupID: 8812,
        cgroup: "/system.slice/ssh.service", cgroupSource: .kernel, unit: "ssh.service")

    static func entry(_ verdict: Decision.Verdict, _ hook: String, _ target: Decision.Target) -> JournalEntry {
        .decision(
            Decision(
                verdict: verdict, hook: hook, generation: 12, rule: rule, process: process, target: target))
    }

    @Test func execDenyCarriesEveryValue() {
        let entry = Self.entry(.deny, "bprm_check_security", .path("/usr/bin/kubectl"))
        #expect(entry.messageID == .decisionDeny)
        #expect(entry.priority == .warning)
        let expected: [(FieldName, String)] = [
            (.decision, "deny"), (.hook, "bprm_check_security"), (.path, "/usr/bin/kubectl"),
            (.ruleID, "7"), (.policy, "no-kubectl"), (.policyFile, "/etc/policies.d/k.yaml"),
            (.file, "/etc/policies.d/k.yaml"), (.line, "9"), (.generation, "12"), (.pid, "4242"),
            (.tgid, "4240"), (.uid, "1000"), (.comm, "bash"), (.exe, "/usr/bin/bash"),
            (.cgroupID, "8812"), (.cgroup, "/system.slice/ssh.service"), (.cgroupSource, "kernel"),
            (.unit, "ssh.service"),
        ]
        #expect(entry.fields.map(\.0) == expected.map(\.0))
        #expect(entry.fields.map(\.1) == expected.map(\.1))
        #expect(
            entry.message
                == "deny bprm_check_security /usr/bin/kubectl by pid 4242 (bash, uid 1000): "
                + "policy no-kubectl, rule 7 at /etc/policies.d/k.yaml:9")
    }

    @Test func auditIsANoticeWithItsOwnID() {
        let entry = Self.entry(.audit, "capable", .capability("CAP_NET_ADMIN"))
        #expect(entry.messageID == .decisionAudit)
        #expect(entry.priority == .notice)
        #expect(entry[.decision] == "audit")
        #expect(entry[.capability] == "CAP_NET_ADMIN")
        #expect(entry[.path] == nil)
        #expect(entry.message.hasPrefix("audit capable CAP_NET_ADMIN by pid 4242"))
    }

    @Test func mountNamesSourceTargetTypeAndHexFlags() {
        let entry = Self.entry(.deny, "sb_mount", .mount(source: "/src", target: "/mnt", fsType: "none", flags: 0x1000))
        #expect(entry[.mountSource] == "/src")
        #expect(entry[.mountTarget] == "/mnt")
        #expect(entry[.mountFSType] == "none")
        #expect(entry[.mountFlags] == "0x1000")
        #expect(entry.message.hasPrefix("deny sb_mount /src on /mnt (none, flags 0x1000) by pid 4242"))
    }

    @Test func unitIsLeftOutWhenUnknown() {
        var process = Self.process
        process.unit = nil
        let entry = JournalEntry.decision(
            Decision(
                verdict: .deny, hook: "bprm_check_security", generation: 1, rule: Self.rule,
                process: process, target: .path("/x")))
        #expect(entry[.unit] == nil)
        #expect(entry.fields.allSatisfy { $0.0 != .unit })
        #expect(entry[.cgroup] == "/system.slice/ssh.service")
    }

    /// A cgroup neither the kernel's id nor /proc could name: the id, and the word unknown.
    @Test func anUnknownCgroupLeavesTheIdAndSaysSo() {
        var process = Self.process
        process.cgroup = nil
        process.cgroupSource = .unknown
        process.unit = nil
        let entry = JournalEntry.decision(
            Decision(
                verdict: .deny, hook: "bprm_check_security", generation: 1, rule: Self.rule,
                process: process, target: .path("/x")))
        #expect(entry[.cgroupID] == "8812")
        #expect(entry[.cgroupSource] == "unknown")
        #expect(entry.fields.allSatisfy { $0.0 != .cgroup && $0.0 != .unit })
    }

    @Test func aCgroupReadFromProcSaysSo() {
        var process = Self.process
        process.cgroupSource = .proc
        let entry = JournalEntry.decision(
            Decision(
                verdict: .audit, hook: "capable", generation: 1, rule: Self.rule,
                process: process, target: .capability("CAP_NET_ADMIN")))
        #expect(entry[.cgroupSource] == "proc")
        #expect(entry[.cgroup] == "/system.slice/ssh.service")
    }

    @Test func aDecisionOnUnknownInputSaysSo() {
        let capability = JournalEntry.decision(
            Decision(
                verdict: .deny, hook: "capable", generation: 3, rule: Self.rule, process: Self.process,
                target: .capability("CAP_NET_ADMIN"), unknown: ["condition"]))
        #expect(capability[.unknown] == "condition")
        #expect(capability.message.hasSuffix("rule 7 at /etc/policies.d/k.yaml:9 [decided on unknown input: condition; fail closed]"))
        let unreadable = JournalEntry.decision(
            Decision(
                verdict: .deny, hook: "bprm_check_security", generation: 3, rule: nil, process: Self.process,
                target: .path("/x"), unknown: ["path"]))
        #expect(unreadable[.unknown] == "path")
        #expect(unreadable.message.hasSuffix("(bash, uid 1000): the path could not be read whole (fail closed)"))
        let known = Self.entry(.deny, "capable", .capability("CAP_NET_ADMIN"))
        #expect(known[.unknown] == nil)
        #expect(!known.message.contains("unknown"))
    }

    @Test func droppedEventsAreCounted() {
        let entry = JournalEntry.eventsDropped(17)
        #expect(entry.messageID == .eventsDropped)
        #expect(entry[.droppedCount] == "17")
    }
}

/// Attempts on portcullis itself: alerts with their own id, naming who and what.
@Suite struct TamperEntryTests {
    static func entry(_ verdict: Decision.Verdict, _ hook: String, _ kind: String, _ object: String) -> JournalEntry {
        .decision(
            Decision(
                verdict: verdict, hook: hook, generation: 3, rule: nil, process: DecisionEntryTests.process,
                target: .tamper(kind: kind, object: object)))
    }

    @Test func aRefusalIsAnAlert() {
        let entry = Self.entry(.deny, "bpf_map", "map", "a writable descriptor for map pc_image")
        #expect(entry.messageID == .tamperRefused)
        #expect(entry.priority == .alert)
        #expect(entry[.tamper] == "map")
        #expect(entry[.tamperObject] == "a writable descriptor for map pc_image")
        #expect(entry[.ruleID] == nil)
        #expect(
            entry.message
                == "deny bpf_map a writable descriptor for map pc_image by pid 4242 (bash, uid 1000): tamper protection")
    }

    @Test func aClaimIsANotice() {
        let entry = Self.entry(.audit, "bpf_map", "claim", "the vacant guardian post, asking for map pc_guard")
        #expect(entry.messageID == .guardianClaimed)
        #expect(entry.priority == .notice)
        #expect(entry[.tamper] == "claim")
    }
}
