import Glibc

/// The daemon's own log lines on standard error: a message and key=value fields.
/// (journald output comes with the audit trail.)
public enum DaemonLog {
    public enum Level: String, Sendable { case info, warning, error }

    public static func write(_ level: Level, _ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        var line = "portcullis: \(level.rawValue): \(message)"
        for (key, value) in fields {
            line += " \(key)=\(value.contains(" ") ? "\"\(value)\"" : value)"
        }
        line += "\n"
        _ = line.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
    }
}
