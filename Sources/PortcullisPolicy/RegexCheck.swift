import PortcullisRegex

/// The regular expressions of policies: checking their syntax, and writing literal
/// text as a pattern.
enum RegexCheck {
    static func problem(in pattern: String) -> RegexSyntaxError? {
        do {
            _ = try RegexPattern.parse(pattern)
            return nil
        } catch {
            return error
        }
    }

    /// `literal` as a pattern matching exactly that text.
    static func escape(_ literal: String) -> String { RegexPattern.escape(literal) }
}
