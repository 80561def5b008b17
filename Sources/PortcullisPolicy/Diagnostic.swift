import PortcullisYAML

/// A problem found in a policy file: where it is, and what would be valid.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning }

    public var severity: Severity
    public var file: String
    /// 1-based; 0 when the problem concerns the file as a whole.
    public var line: Int
    public var column: Int
    /// Where in the document, e.g. `spec.runtime.requirements[0].matchProcesses[0].pathRegex`.
    public var field: String
    public var message: String

    public init(
        _ severity: Severity, file: String, line: Int, column: Int, field: String = "",
        _ message: String
    ) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        let place = line > 0 ? "\(file):\(line):\(column)" : file
        let at = field.isEmpty ? "" : " (at \(field))"
        return "\(place): \(severity.rawValue): \(message)\(at)"
    }
}

extension Diagnostic {
    init(_ severity: Severity, file: String, mark: SourceMark, field: String, _ message: String) {
        self.init(severity, file: file, line: mark.line, column: mark.column, field: field, message)
    }
}
