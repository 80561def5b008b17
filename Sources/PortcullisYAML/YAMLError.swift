/// A problem in a YAML file, always with the file name and the position.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var mark: SourceMark
    public var message: String

    public init(file: String, mark: SourceMark, message: String) {
        self.file = file
        self.mark = mark
        self.message = message
    }

    /// `file:line:column: message`, the form compilers and editors understand.
    public var description: String { "\(file):\(mark.line):\(mark.column): \(message)" }
}
