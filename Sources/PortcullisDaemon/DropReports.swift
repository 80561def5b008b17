import PortcullisKernel

/// The daemon's reports of decision events the kernel dropped: each check reads
/// the kernel's counters and reports what was dropped since the last report.
/// Drops produce no event, so the end of a storm (the last events held back by
/// a rate limit) wakes nothing: a check that found drops asks for another, and
/// the checks stop at the first that finds none.
struct DropReports {
    private var reported = EventStatistics()

    /// The events dropped since the last check (0: none), and whether to check again.
    mutating func check(_ now: EventStatistics) -> (dropped: UInt64, again: Bool) {
        let dropped = (now.droppedByRateLimit &- reported.droppedByRateLimit)
            &+ (now.droppedRingFull &- reported.droppedRingFull)
        reported = now
        return (dropped, dropped > 0)
    }
}
