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
