/// How long the steps of one reload took, on a monotonic clock, for the
/// "generation applied" entry: reading and reconciling the directory, compiling
/// (with the image's fingerprint), and installing up to the swap, the moment
/// the new generation is in force (filling its map and computing the tasks'
/// views for it; what follows the swap is not counted).
struct ReloadTimings: Sendable {
    var read: Duration = .zero
    var compile: Duration = .zero
    var swap: Duration = .zero

    private let clock = ContinuousClock()
    private var mark: ContinuousClock.Instant

    init() { mark = clock.now }

    /// Ends the step at `step`: the time since the last lap (or the start).
    mutating func lap(_ step: WritableKeyPath<ReloadTimings, Duration>) {
        let now = clock.now
        self[keyPath: step] = now - mark
        mark = now
    }

    /// `12.3`: milliseconds with one decimal.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let tenths = (seconds * 10_000 + attoseconds / 100_000_000_000_000 + (attoseconds % 100_000_000_000_000 >= 50_000_000_000_000 ? 1 : 0))
        return "\(tenths / 10).\(tenths % 10)"
    }
}
