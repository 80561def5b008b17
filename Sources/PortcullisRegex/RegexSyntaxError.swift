/// A pattern the parser rejects, with the position of the problem.
public struct RegexSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, e.g. "unmatched ')'" or "back-references are not supported".
    public var message: String
    /// 0-based index, in Unicode scalars of the pattern, where the problem is.
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at offset \(offset)" }
}
