extension RegexPattern {
    /// The characters with a meaning of their own outside brackets (see `parseAtom`).
    static let operators: Set<Character> = ["\\", "^", "$", ".", "[", "]", "(", ")", "|", "*", "+", "?", "{", "}"]

    /// Whether `byte` is the ASCII character of one of `operators`.
    static func isOperator(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\\"), UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "."), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "|"), UInt8(ascii: "*"),
            UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            return true
        default: return false
        }
    }

    /// `literal` as a pattern matching exactly that text: every operator is escaped.
    public static func escape(_ literal: String) -> String {
        literal.utf8.allSatisfy { $0 < 0x80 } ? escapeASCII(literal) : escapeCharacters(literal)
    }

    static func escapeCharacters(_ literal: String) -> String {
        var pattern = ""
        for ch in literal {
            if operators.contains(ch) { pattern.append("\\") }
            pattern.append(ch)
        }
        return pattern
    }

    /// The same for ASCII text, byte by byte (every exact path and prefix of
    /// every exec rule, at every compile): each operator is one byte.
    static func escapeASCII(_ literal: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(literal.utf8.count + 8)
        for byte in literal.utf8 {
            if isOperator(byte) { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
