// Most exec patterns are exact paths and prefixes, written by PathRegex as
// `^` and the escaped path, and `$` for an exact path. Their chain is read off
// the text here, byte by byte, without building a parse tree: the daemon
// compiles thousands of them at every change. Anything this reader is not
// sure of (an operator, an escape other than punctuation, a pattern the
// parser would find too large) is left to the parser, which then decides.

extension LiteralChain {
    /// The chain `pattern` parses to, read off its text; nil when the text is
    /// not plainly `^`, literal bytes or escaped ASCII punctuation, and maybe `$`.
    init?(text pattern: String) {
        var sets: [ByteSet] = []
        var anchoredAtEnd = false
        let ok = pattern.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.first == UInt8(ascii: "^"), bytes.count <= RegexPattern.maxExpandedSize else { return false }
            sets.reserveCapacity(bytes.count)
            var i = 1
            while i < bytes.count {
                let byte = bytes[i]
                if byte == UInt8(ascii: "\\") {
                    guard i + 1 < bytes.count, Self.isEscapedLiteral(bytes[i + 1]) else { return false }
                    sets.append(ByteSet(bytes[i + 1]))
                    i += 2
                } else if byte == UInt8(ascii: "$") && i == bytes.count - 1 {
                    anchoredAtEnd = true
                    i += 1
                } else {
                    guard byte != 0, !RegexPattern.isOperator(byte) else { return false }
                    sets.append(ByteSet(byte))
                    i += 1
                }
            }
            return true
        }
        guard ok == true else { return nil }
        self.init(sets: sets, anchoredAtEnd: anchoredAtEnd)
    }

    /// An escaped byte the parser reads as itself: ASCII punctuation or space.
    static func isEscapedLiteral(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7F && !(byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            && !(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            && !(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
