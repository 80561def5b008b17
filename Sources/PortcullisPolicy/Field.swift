import PortcullisYAML

/// Collects the diagnostics of one file while its documents are read.
final class DiagnosticLog {
    let file: String
    private(set) var entries: [Diagnostic] = []

    init(file: String) { self.file = file }

    func error(_ mark: SourceMark, _ field: String, _ message: String) {
        entries.append(Diagnostic(.error, file: file, mark: mark, field: field, message))
    }

    func warning(_ mark: SourceMark, _ field: String, _ message: String) {
        entries.append(Diagnostic(.warning, file: file, mark: mark, field: field, message))
    }

    var hasErrors: Bool { entries.contains { $0.severity == .error } }

    /// Ends every error logged from entry `start` on with `note`, such as the form a
    /// Tetragon kprobe is read as.
    func appendNote(_ note: String, toErrorsFrom start: Int) {
        for i in entries.indices.dropFirst(start) where entries[i].severity == .error {
            entries[i].message += "; " + note
        }
    }
}

/// A node of the document together with its field path, for precise errors.
/// The accessors report what is wrong to the log and return nil.
struct Field {
    let node: YAMLNode
    let path: String
    let log: DiagnosticLog
    /// Where the key naming this field was written, for problems with the field as a whole.
    var keyMark: SourceMark? = nil

    var mark: SourceMark { node.mark }
    var location: SourceLocation { SourceLocation(file: log.file, mark: node.mark) }

    func error(_ message: String) { log.error(node.mark, path, message) }
    func warning(_ message: String) { log.warning(node.mark, path, message) }
    func keyError(_ message: String) { log.error(keyMark ?? node.mark, path, message) }
    func keyWarning(_ message: String) { log.warning(keyMark ?? node.mark, path, message) }

    /// The mapping's fields by key; unknown keys are errors that list the valid ones.
    func mapping(allowed: [String]) -> [String: Field]? {
        guard let entries = entries(expected: "a mapping with keys \(Self.list(allowed))") else {
            return nil
        }
        var fields: [String: Field] = [:]
        for (key, field) in entries {
            guard allowed.contains(key) else {
                field.keyError("unknown key '\(key)'; valid keys here: \(Self.list(allowed))")
                continue
            }
            fields[key] = field
        }
        return fields
    }

    /// The mapping's entries in file order, whatever their keys; nothing at all is no entries.
    /// `expected` is only worked out for the error.
    func entries(expected: @autoclosure () -> String = "a mapping") -> [(key: String, field: Field)]? {
        guard case .mapping(let pairs) = node.kind else {
            if node.isNull { return [] }
            error("expected \(expected())")
            return nil
        }
        var entries: [(key: String, field: Field)] = []
        for pair in pairs {
            guard case .scalar(let key, _) = pair.key.kind else {
                log.error(pair.key.mark, path, "mapping keys must be plain strings")
                continue
            }
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            entries.append((key, Field(node: pair.value, path: childPath, log: log, keyMark: pair.key.mark)))
        }
        return entries
    }

    /// The scalar's text; a mapping or a sequence is an error.
    func string() -> String? {
        guard case .scalar(let text, _) = node.kind, !node.isNull else {
            error("expected a string")
            return nil
        }
        return text
    }

    /// A whole number in `range`, written plainly: `0`, `-1`, `1000`.
    func integer(in range: ClosedRange<Int>) -> Int? {
        guard let value = node.int, range.contains(value) else {
            let found = node.string.map { "'\($0)' is not valid; " } ?? ""
            error("\(found)expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    /// The values of an optional field holding one value or a list, each read by `read`
    /// (all of them, so every bad one is reported); an absent field is no values.
    static func values<T>(_ field: Field?, _ read: (Field) -> T?) -> [T]? {
        guard let field else { return [] }
        guard let items = field.sequence() else { return nil }
        let values = items.map(read)
        guard values.allSatisfy({ $0 != nil }) else { return nil }
        return values.compactMap { $0 }
    }

    /// The items of a sequence; a single scalar counts as a sequence of one.
    func sequence() -> [Field]? {
        switch node.kind {
        case .sequence(let items):
            return items.enumerated().map { i, item in
                Field(node: item, path: "\(path)[\(i)]", log: log)
            }
        case .scalar:
            if node.isNull { return [] }
            return [self]
        case .mapping:
            error("expected a list")
            return nil
        }
    }

    /// One of the given words.
    func oneOf<T: RawRepresentable & CaseIterable>(_: T.Type) -> T? where T.RawValue == String {
        guard let text = string() else { return nil }
        if let value = T(rawValue: text) { return value }
        error("'\(text)' is not valid; expected one of \(Self.list(T.allCases.map(\.rawValue)))")
        return nil
    }

    /// A regular expression, checked now so a typo is reported where it was written.
    func regex() -> String? {
        guard let text = string() else { return nil }
        if let problem = RegexCheck.problem(in: text) {
            let quoted: Int
            switch node.kind {
            case .scalar(_, .singleQuoted), .scalar(_, .doubleQuoted): quoted = 1
            default: quoted = 0
            }
            log.error(
                SourceMark(line: mark.line, column: mark.column + quoted + problem.offset), path,
                "invalid regular expression: \(problem.message)")
            return nil
        }
        return text
    }

    static func list(_ words: [String]) -> String {
        words.map { "'\($0)'" }.joined(separator: ", ")
    }
}
