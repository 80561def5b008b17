/// What the BPF programs counted about decision events since they were loaded.
public struct EventStatistics: Sendable, Hashable {
    public var sent: UInt64
    /// Events a rule's rate limit held back (PC_EVENT_RATE a second after a burst).
    public var droppedByRateLimit: UInt64
    /// Events lost because the ring buffer was full (the daemon fell behind or was down).
    public var droppedRingFull: UInt64

    public init(sent: UInt64 = 0, droppedByRateLimit: UInt64 = 0, droppedRingFull: UInt64 = 0) {
        self.sent = sent
        self.droppedByRateLimit = droppedByRateLimit
        self.droppedRingFull = droppedRingFull
    }
}
