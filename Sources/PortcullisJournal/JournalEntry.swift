/// One entry of the audit trail: what journald stores, or one JSON line.
///
/// `message` is what `journalctl` shows; `messageID` says which kind of entry
/// this is (`journalctl MESSAGE_ID=…`); `fields` carry the details as
/// `PORTCULLIS_*` fields, in the order given.
public struct JournalEntry: Sendable {
    public var message: String
    public var priority: Priority
    public var messageID: MessageID
    public var fields: [(FieldName, String)]

    public init(
        _ message: String, priority: Priority, messageID: MessageID, fields: [(FieldName, String)] = []
    ) {
        self.message = message
        self.priority = priority
        self.messageID = messageID
        self.fields = fields
    }

    /// The value of the first field of this name, if any.
    public subscript(_ name: FieldName) -> String? {
        fields.first { $0.0 == name }?.1
    }

    /// Every field as a journal field would be, well-known fields first:
    /// MESSAGE, PRIORITY, MESSAGE_ID, then `fields` in order.
    public var journalFields: [(name: String, value: String)] {
        [
            ("MESSAGE", message), ("PRIORITY", String(priority.rawValue)),
            ("MESSAGE_ID", messageID.rawValue),
        ] + fields.map { ($0.0.rawValue, $0.1) }
    }
}

/// syslog(3) priorities, as journald's PRIORITY field holds them.
public enum Priority: Int, Sendable, CaseIterable {
    case emergency = 0, alert, critical, error, warning, notice, info, debug
}
