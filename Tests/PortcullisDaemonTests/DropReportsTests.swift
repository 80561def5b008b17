import PortcullisKernel
import Testing

@testable import PortcullisDaemon

/// Drops are reported until a check finds none (55-status-events.sh once missed
/// the last two drops of a storm: held back by the rate limit after the last
/// event that was sent, they woke nothing, and the check before them had run).
@Suite struct DropReportsTests {
    @Test func aStormsLastDropsAreReportedByTheCheckAfter() {
        var reports = DropReports()
        // The storm: the rate limit holds events back between two checks, then
        // two more after the last event sent.
        let first = reports.check(EventStatistics(sent: 50, droppedByRateLimit: 391))
        #expect(first.dropped == 391)
        #expect(first.again)
        let second = reports.check(EventStatistics(sent: 50, droppedByRateLimit: 393))
        #expect(second.dropped == 2)
        #expect(second.again)
        // Quiet: nothing new, no further check.
        let third = reports.check(EventStatistics(sent: 50, droppedByRateLimit: 393))
        #expect(third.dropped == 0)
        #expect(!third.again)
    }

    @Test func ringFullDropsCountToo() {
        var reports = DropReports()
        #expect(reports.check(EventStatistics(droppedByRateLimit: 3, droppedRingFull: 4)) == (7, true))
        #expect(reports.check(EventStatistics(droppedByRateLimit: 3, droppedRingFull: 10)) == (6, true))
        #expect(reports.check(EventStatistics(droppedByRateLimit: 3, droppedRingFull: 10)) == (0, false))
    }
}
