import SystemPackage

/// Entries as JSON lines, one object per entry, keys in the order of
/// `JournalEntry.journalFields` (MESSAGE, PRIORITY, MESSAGE_ID, then the
/// entry's own fields); every value is a string, as in `journalctl -o json`.
public struct JSONLinesSink: AuditSink {
    public let fileDescriptor: FileDescriptor

    public init(fileDescriptor: FileDescriptor = .standardOutput) {
        self.fileDescriptor = fileDescriptor
    }

    public func write(_ entry: JournalEntry) {
        // The whole line in one call, never assembled from pieces by several writes.
        _ = try? fileDescriptor.writeAll(Self.line(entry).utf8)
    }

    /// The entry as one JSON object and a newline.
    public static func line(_ entry: JournalEntry) -> String {
        var line = "{"
        for (index, (name, value)) in entry.journalFields.enumerated() {
            if index > 0 { line += "," }
            line += JSONString.quoted(name) + ":" + JSONString.quoted(value)
        }
        return line + "}\n"
    }
}

/// JSON string literals (RFC 8259): quotes, backslashes and control characters
/// escaped; everything else, non-ASCII included, as UTF-8.
public enum JSONString {
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
