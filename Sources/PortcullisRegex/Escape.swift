extension RegexPattern {
    /// The characters with a meaning of their own outside brackets (see `parseAtom`).
    static let operators: Set<Character> = ["\\", "^", "$", ".", "[", "]", "(", ")", "|", "*", "+", "?", "{", "}"]

    /// `literal` as a pattern matching exactly that text: every operator is escaped.
    public static func escape(_ literal: String) -> String {
        var pattern = ""
        for ch in literal {
            if operators.contains(ch) { pattern.append("\\") }
            pattern.append(ch)
        }
        return pattern
    }
}
