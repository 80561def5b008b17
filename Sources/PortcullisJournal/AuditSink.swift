import Glibc

/// Where the audit trail goes.
public protocol AuditSink: Sendable {
    /// Records one entry; never fails (a sink that cannot deliver falls back
    /// to standard error rather than losing the entry).
    func write(_ entry: JournalEntry)
}

/// `portcullis run --log-target`: journald, JSON lines on standard output,
/// or whichever fits (`auto`).
public enum LogTarget: String, Sendable, CaseIterable {
    case journal, json, auto

    /// journald's socket, as systemd-journald creates it.
    public static let journalSocket = "/run/systemd/journal/socket"

    /// Whether journald is there to receive entries: its socket exists, or
    /// systemd connected standard output to the journal (`$JOURNAL_STREAM`).
    public static var journalIsAvailable: Bool {
        access(journalSocket, F_OK) == 0 || getenv("JOURNAL_STREAM") != nil
    }

    /// `.journal` or `.json`: `auto` becomes `.journal` when journald is available.
    public func resolved(journalAvailable: Bool = LogTarget.journalIsAvailable) -> LogTarget {
        guard self == .auto else { return self }
        return journalAvailable ? .journal : .json
    }

    /// The sink this target names.
    public func makeSink() -> any AuditSink {
        resolved() == .journal ? JournaldSink() : JSONLinesSink()
    }
}
