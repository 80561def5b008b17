import CSystemd
import Glibc

/// Entries straight to journald with sd_journal_sendv(3), one iovec per
/// `FIELD=value` (binary-safe, so values may hold newlines), tagged
/// `SYSLOG_IDENTIFIER=portcullis`.
public struct JournaldSink: AuditSink {
    public static let identifier = "portcullis"

    public init() {}

    public func write(_ entry: JournalEntry) {
        let fields = entry.journalFields + [("SYSLOG_IDENTIFIER", Self.identifier)]
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for (name, value) in fields {
            let start = bytes.count
            bytes += name.utf8
            bytes.append(UInt8(ascii: "="))
            bytes += value.utf8
            ranges.append(start..<bytes.count)
        }
        let status = bytes.withUnsafeMutableBytes { buffer in
            let vectors = ranges.map { iovec(iov_base: buffer.baseAddress! + $0.lowerBound, iov_len: $0.count) }
            return sd_journal_sendv(vectors, Int32(vectors.count))
        }
        if status < 0 {
            JSONLinesSink(fileDescriptor: .standardError).write(entry)
        }
    }
}
