/// A position in a YAML file: 1-based line and 1-based column.
///
/// Converted from libyaml's 0-based `yaml_mark_t`. Columns count Unicode scalars
/// (characters), not bytes, exactly as libyaml does; a tab counts as one column.
/// A UTF-8 byte order mark at the start of the file is not counted.
public struct SourceMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`, e.g. `7:3`.
    public var description: String { "\(line):\(column)" }

    public static func < (a: SourceMark, b: SourceMark) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }
}
