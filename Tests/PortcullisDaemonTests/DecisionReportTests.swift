import CPortcullisABI
import PortcullisKernel
import Testing

@testable import PortcullisDaemon

/// The daemon names the rule of each decision from the rules of its generation;
/// it keeps those of the generation in force and the one before, never more,
/// so its memory stays flat over any number of updates.
@Suite struct DecisionReportTests {
    @Test func keepsTheRulesOfTwoGenerationsOnly() {
        var report = DecisionReport()
        for generation in UInt64(1)...50 {
            report.remember([], of: generation)
            #expect(report.generationsRemembered == Array(max(1, generation - 1)...generation))
        }
        #expect(report.generationsRemembered == [49, 50])
    }
}

/// A decision names the cgroup and unit the kernel's cgroup id names, and
/// still carries the id when nothing names it.
@Suite struct DecisionCgroupTests {
    static func event(cgroupID: UInt64, tgid: Int32) throws -> DecisionEvent {
        var e = pc_event()
        e.hook = UInt32(PC_HOOK_EXEC.rawValue)
        e.decision = UInt32(PC_ACTION_DENY.rawValue)
        e.rule = 0
        e.generation = 1
        e.pid = UInt32(tgid)
        e.tgid = UInt32(tgid)
        e.cgroup_id = cgroupID
        e.path_bytes = 1  // an empty path: the record ends after its NUL
        let bytes = withUnsafeBytes(of: e) { Array($0.prefix(MemoryLayout<pc_event>.offset(of: \pc_event.path)! + 1)) }
        return try #require(bytes.withUnsafeBytes { DecisionEvent(bytes: $0) })
    }

    @Test func theUnitComesFromTheKernelsId() throws {
        let fake = FakeCgroups([42: "/pcvm.slice/pcvm-unit.service"])
        let report = DecisionReport(cgroups: CgroupNames(lookup: { fake }, processCgroup: { _ in "/wrong.service" }))
        let process = report.decision(for: try Self.event(cgroupID: 42, tgid: 77)).process
        #expect(process.cgroupID == 42)
        #expect(process.cgroup == "/pcvm.slice/pcvm-unit.service")
        #expect(process.cgroupSource == .kernel)
        #expect(process.unit == "pcvm-unit.service")
    }

    @Test func anUnnamedIdIsCarriedAlone() throws {
        let report = DecisionReport(cgroups: CgroupNames(lookup: { FakeCgroups([:]) }, processCgroup: { _ in nil }))
        for id in [UInt64(0), 42] {
            let process = report.decision(for: try Self.event(cgroupID: id, tgid: 77)).process
            #expect(process.cgroupID == id)
            #expect(process.cgroup == nil && process.unit == nil)
            #expect(process.cgroupSource == .unknown)
        }
    }
}
