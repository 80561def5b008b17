import Testing

@testable import PortcullisKernel

@Suite struct VerifierReportTests {
    @Test func eachLoadRunsToTheNextProgramsStampAndTheLastToTheEnd() {
        // Listed out of load order: pc_capable was loaded first, then pc_exec, then pc_mount.
        let loaded = [
            VerifierReport.Loaded(program: "pc_exec", instructions: 120, loadTime: 1_500),
            VerifierReport.Loaded(program: "pc_capable", instructions: 30, loadTime: 1_000),
            VerifierReport.Loaded(program: "pc_mount", instructions: 900, loadTime: 4_000),
        ]
        let costs = VerifierReport.costs(of: loaded, finished: 10_000)
        #expect(costs.map(\.program) == ["pc_exec", "pc_capable", "pc_mount"])
        #expect(costs.map(\.verifiedInstructions) == [120, 30, 900])
        #expect(costs.map(\.loadNanoseconds) == [2_500, 500, 6_000])
    }

    @Test func aFinishBeforeTheLastStampCountsNothing() {
        let loaded = [VerifierReport.Loaded(program: "pc_seed", instructions: 7, loadTime: 5_000)]
        #expect(VerifierReport.costs(of: loaded, finished: 4_000).map(\.loadNanoseconds) == [0])
    }
}
