import PortcullisKernel
import Testing

/// doctor's preemption check: our per-CPU space is a decision's own only under
/// none or voluntary preemption.
@Suite struct PreemptionModelTests {
    static let debian = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09)"
    static func sources(
        version: String = debian, commandLine: String? = "BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro quiet",
        debugfs: String? = nil, buildConfig: String? = nil
    ) -> PreemptionModel.Sources {
        PreemptionModel.Sources(version: version, commandLine: commandLine, debugfs: debugfs, buildConfig: buildConfig)
    }

    @Test func debugfsNamesTheModelInForce() throws {
        let voluntary = try #require(PreemptionModel.judge(Self.sources(debugfs: "none (voluntary) full")))
        #expect(voluntary.model == .voluntary)
        let full = try #require(PreemptionModel.judge(Self.sources(debugfs: "none voluntary (full) lazy")))
        #expect(full.model == .full)
        #expect(full.source.contains("debugfs"))
    }

    @Test func theLastPreemptParameterWinsOnADynamicKernel() throws {
        let judged = try #require(
            PreemptionModel.judge(Self.sources(commandLine: "quiet preempt=voluntary preempt=full", buildConfig: "CONFIG_PREEMPT_VOLUNTARY=y")))
        #expect(judged.model == .full)
        #expect(judged.source.contains("preempt=full"))
    }

    @Test func withoutAParameterTheBuildsDefaultHolds() throws {
        let config = "# CONFIG_PREEMPT_NONE is not set\nCONFIG_PREEMPT_VOLUNTARY=y\n# CONFIG_PREEMPT is not set\nCONFIG_PREEMPT_DYNAMIC=y\n"
        let judged = try #require(PreemptionModel.judge(Self.sources(buildConfig: config)))
        #expect(judged.model == .voluntary)
        #expect(judged.source.contains("default"))
    }

    @Test func aDynamicKernelWithNothingToReadIsUnknown() {
        #expect(PreemptionModel.judge(Self.sources()) == nil)
        let check = Doctor.preemptionCheck(Self.sources())
        #expect(!check.ok)
        #expect(check.remedy?.contains("debugfs") == true)
    }

    @Test func realTimeAndBuiltInFullPreemptionAreRefused() throws {
        let rt = try #require(PreemptionModel.judge(Self.sources(version: "#1 SMP PREEMPT_RT Debian 6.1.158-1", debugfs: "none (voluntary) full")))
        #expect(rt.model == .realtime)
        let full = try #require(PreemptionModel.judge(Self.sources(version: "#1 SMP PREEMPT Fri Jan 1", commandLine: nil)))
        #expect(full.model == .full)
        let check = Doctor.preemptionCheck(Self.sources(version: "#1 SMP PREEMPT Fri Jan 1"))
        #expect(!check.ok)
        #expect(check.remedy?.contains("preempt=voluntary") == true)
    }

    @Test func aKernelBuiltWithoutPreemptionPasses() throws {
        let judged = try #require(PreemptionModel.judge(Self.sources(version: "#1 SMP Debian 5.10.0", commandLine: nil)))
        #expect(judged.model.keepsPerCPUSpace)
        #expect(Doctor.preemptionCheck(Self.sources(debugfs: "(none) voluntary full")).ok)
    }

    @Test func onlyNoneAndVoluntaryKeepTheCPU() {
        #expect(PreemptionModel.allCases.filter(\.keepsPerCPUSpace) == [.none, .voluntary])
    }
}
