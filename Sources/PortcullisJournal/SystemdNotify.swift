import CSystemd
import Glibc

/// sd_notify(3): telling the service manager how the daemon is doing. Every
/// call does nothing when `$NOTIFY_SOCKET` is unset (not started by systemd).
public enum SystemdNotify {
    /// Startup is complete (or a reload is): `READY=1` with a status line.
    public static func ready(status: String) {
        send(["READY=1", "STATUS=" + oneLine(status)])
    }

    /// A reload begins; `ready(status:)` ends it. MONOTONIC_USEC, which
    /// systemd 253 and later require with RELOADING=1, is ignored by 252.
    public static func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        send(["RELOADING=1", "MONOTONIC_USEC=\(microseconds)"])
    }

    /// The one-line status `systemctl status` shows.
    public static func status(_ text: String) {
        send(["STATUS=" + oneLine(text)])
    }

    /// The watchdog keep-alive ping.
    public static func watchdog() {
        send(["WATCHDOG=1"])
    }

    /// Shutdown has begun.
    public static func stopping() {
        send(["STOPPING=1"])
    }

    /// The unit's `WatchdogSec=` when it asks this process for keep-alive pings
    /// (sd_watchdog_enabled(3)); ping at half of it.
    public static func watchdogInterval() -> Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0 else { return nil }
        return .microseconds(microseconds)
    }

    private static func send(_ assignments: [String]) {
        _ = sd_notify(0, assignments.joined(separator: "\n"))
    }

    /// A newline would end the assignment and start another.
    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
