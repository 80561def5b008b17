import Glibc
import PortcullisGeneration

/// The daemon's configuration file, `/etc/portcullis/portcullis.conf`: lines of
/// `key = value`, `#` comments and blank lines. Options given to `portcullis run`
/// win over it. Only root may own it, and nobody else write it (nor its directory).
///
/// Keys: `lock` (`yes` or `no`): lock enforcement until reboot once the first
/// generation is in force, as `run --lock`.
public struct SettingsFile: Sendable, Equatable {
    public static let defaultPath = "/etc/portcullis/portcullis.conf"

    public var lock: Bool?

    public init(lock: Bool? = nil) { self.lock = lock }

    /// A mistake in the file, with its line and column.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "\(path):\(line):\(column): error: \(message)" }
    }

    /// Reads `path`; the defaults (all nil) when it does not exist.
    public static func read(_ path: String = defaultPath) throws -> SettingsFile {
        guard access(path, F_OK) == 0 else { return SettingsFile() }
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        try FileTrust.check(directory.isEmpty ? "/" : directory, directory: true)
        try FileTrust.check(path, directory: false)
        guard let f = fopen(path, "r") else { throw FileProblem(path, errno: errno, "cannot open") }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n == 0 { break }
            bytes += buffer[..<n]
            guard bytes.count <= 65536 else { throw FileProblem(path, "larger than 64 KiB") }
        }
        return try parse(String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// The settings `text` sets.
    public static func parse(_ text: String, path: String) throws(Problem) -> SettingsFile {
        var settings = SettingsFile()
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = number + 1
            let content = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard content.contains(where: { !$0.isWhitespace }) else { continue }
            let column = (content.firstIndex { !$0.isWhitespace }.map { content.distance(from: content.startIndex, to: $0) } ?? 0) + 1
            let parts = content.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw Problem(path: path, line: line, column: column, message: "expected `key = value`")
            }
            let key = parts[0].trimmingCharacters(in: " \t")
            let value = parts[1].trimmingCharacters(in: " \t\r")
            switch key {
            case "lock":
                switch value {
                case "yes", "true": settings.lock = true
                case "no", "false": settings.lock = false
                default:
                    throw Problem(path: path, line: line, column: column, message: "lock must be yes or no, not `\(value)`")
                }
            default:
                throw Problem(path: path, line: line, column: column, message: "unknown setting `\(key)` (known: lock)")
            }
        }
        return settings
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let blanks = Set(set)
        return String(self.drop(while: { blanks.contains($0) }).reversed().drop(while: { blanks.contains($0) }).reversed())
    }
}
