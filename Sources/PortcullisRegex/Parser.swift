// POSIX-ERE-like syntax → RegexNode. See docs/regex.md for the accepted syntax.

public enum RegexPattern {
    /// Largest count allowed in `{m}`, `{m,}`, `{m,n}` (RE2's limit).
    public static let maxRepetitionCount = 1000
    /// Largest pattern size after expanding counted repetitions, in atoms
    /// (roughly NFA states): `(a{1000}){1000}` is rejected, `.{1000}` is fine.
    public static let maxExpandedSize = 50_000
    /// Deepest nesting of groups.
    public static let maxNestingDepth = 250

    public static func parse(_ pattern: String) throws(RegexSyntaxError) -> RegexNode {
        var parser = Parser(pattern)
        return try parser.parsePattern()
    }
}

struct Parser {
    private let chars: [Unicode.Scalar]
    private var pos = 0

    init(_ pattern: String) { chars = Array(pattern.unicodeScalars) }

    // MARK: - Helpers

    private var atEnd: Bool { pos >= chars.count }
    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        pos + ahead < chars.count ? chars[pos + ahead] : nil
    }
    private func fail(_ message: String, at offset: Int) -> RegexSyntaxError {
        RegexSyntaxError(message: message, offset: offset)
    }
    private static func isQuantifier(_ c: Unicode.Scalar) -> Bool {
        c == "*" || c == "+" || c == "?" || c == "{"
    }

    /// A parsed piece and its expanded size (saturating), for the size limit.
    private typealias Sized = (node: RegexNode, size: Int)

    private static func add(_ a: Int, _ b: Int) -> Int {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? Int.max : r
    }
    private static func mul(_ a: Int, _ b: Int) -> Int {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? Int.max : r
    }

    // MARK: - Grammar

    mutating func parsePattern() throws(RegexSyntaxError) -> RegexNode {
        let top = try parseAlternation(depth: 0)
        if !atEnd {
            // parseAlternation only stops early at ')'.
            throw fail("unmatched ')'", at: pos)
        }
        return top.node
    }

    /// branch ('|' branch)*
    private mutating func parseAlternation(depth: Int) throws(RegexSyntaxError) -> Sized {
        var branches: [RegexNode] = []
        var size = 0
        while true {
            let branchStart = pos
            let branch = try parseConcatenation(depth: depth)
            branches.append(branch.node)
            // Each extra branch costs one split state.
            size = Self.add(size, Self.add(branch.size, branches.count > 1 ? 1 : 0))
            if size > RegexPattern.maxExpandedSize { throw tooLarge(at: branchStart) }
            guard peek() == "|" else { break }
            pos += 1
        }
        return (branches.count == 1 ? branches[0] : .alternation(branches), size)
    }

    private func tooLarge(at offset: Int) -> RegexSyntaxError {
        fail(
            "pattern too large: counted repetitions expand to more than "
                + "\(RegexPattern.maxExpandedSize) atoms", at: offset)
    }

    /// piece*, up to '|' or ')' or the end.
    private mutating func parseConcatenation(depth: Int) throws(RegexSyntaxError) -> Sized {
        var items: [RegexNode] = []
        var size = 0
        while let c = peek(), c != "|", c != ")" {
            let itemStart = pos
            let piece = try parsePiece(depth: depth)
            size = Self.add(size, piece.size)
            if size > RegexPattern.maxExpandedSize { throw tooLarge(at: itemStart) }
            items.append(piece.node)
        }
        switch items.count {
        case 0: return (.empty, 0)
        case 1: return (items[0], size)
        default: return (.concatenation(items), size)
        }
    }

    /// atom quantifier?
    private mutating func parsePiece(depth: Int) throws(RegexSyntaxError) -> Sized {
        let atom = try parseAtom(depth: depth)
        guard let q = peek(), Self.isQuantifier(q) else { return atom }
        let qStart = pos
        if atom.node == .startAnchor || atom.node == .endAnchor {
            let anchor = atom.node == .startAnchor ? "^" : "$"
            throw fail("quantifier '\(q)' cannot follow the anchor '\(anchor)'", at: qStart)
        }
        let (min, max) = try parseQuantifier()
        // Lazy, possessive and stacked quantifiers.
        if let next = peek() {
            if next == "?" {
                throw fail("lazy quantifiers (like '*?') are not supported", at: pos)
            }
            if next == "+" {
                throw fail("possessive quantifiers (like '*+') are not supported", at: pos)
            }
            if next == "*" || next == "{" {
                throw fail(
                    "quantifier '\(next)' follows another quantifier; "
                        + "group the repeated part instead, e.g. (a*)*", at: pos)
            }
        }
        let unit = Swift.max(atom.size, 1)
        let size: Int
        if let max {
            size = Self.add(Self.mul(unit, max), max - min + 1)
        } else {
            size = Self.add(Self.mul(unit, Swift.max(min, 1)), 1)
        }
        if size > RegexPattern.maxExpandedSize { throw tooLarge(at: qStart) }
        return (.repetition(atom.node, min: min, max: max), size)
    }

    /// `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}`; the cursor is on the first character.
    private mutating func parseQuantifier() throws(RegexSyntaxError) -> (Int, Int?) {
        let start = pos
        let c = chars[pos]
        pos += 1
        switch c {
        case "*": return (0, nil)
        case "+": return (1, nil)
        case "?": return (0, 1)
        default: break
        }
        // '{'
        let badBrace =
            "invalid repetition: '{' must be followed by m}, m,} or m,n} "
            + "(escape a literal brace as \\{)"
        guard let min = try parseCount() else { throw fail(badBrace, at: start) }
        var max: Int? = min
        if peek() == "," {
            pos += 1
            max = try parseCount()
        }
        guard peek() == "}" else { throw fail(badBrace, at: start) }
        pos += 1
        if let max, min > max {
            throw fail("invalid repetition {\(min),\(max)}: minimum is greater than maximum", at: start)
        }
        return (min, max)
    }

    /// Decimal digits, or nil if there are none.
    private mutating func parseCount() throws(RegexSyntaxError) -> Int? {
        let start = pos
        var value = 0
        while let c = peek(), c >= "0", c <= "9" {
            value = Swift.min(value * 10 + Int(c.value - 48), 1_000_000)
            pos += 1
        }
        if pos == start { return nil }
        if value > RegexPattern.maxRepetitionCount {
            throw fail(
                "repetition count \(value == 1_000_000 ? "too large" : String(value)) "
                    + "exceeds the limit of \(RegexPattern.maxRepetitionCount)", at: start)
        }
        return value
    }

    private mutating func parseAtom(depth: Int) throws(RegexSyntaxError) -> Sized {
        let start = pos
        let c = chars[pos]
        switch c {
        case "(":
            return try parseGroup(depth: depth)
        case "[":
            return (.byteSet(try parseBracket()), 1)
        case ".":
            pos += 1
            return (.byteSet(.nonNUL), 1)
        case "^":
            pos += 1
            return (.startAnchor, 1)
        case "$":
            pos += 1
            return (.endAnchor, 1)
        case "\\":
            return (.byteSet(try parseEscape(inBracket: false)), 1)
        case "*", "+", "?", "{":
            throw fail("quantifier '\(c)' has nothing to repeat", at: start)
        default:
            pos += 1
            let utf8 = Array(String(c).utf8)
            if utf8.count == 1 { return (.byteSet(ByteSet(utf8[0])), 1) }
            // A non-ASCII character: its UTF-8 bytes, repeated as a unit.
            return (.group(.concatenation(utf8.map { .byteSet(ByteSet($0)) })), utf8.count)
        }
    }

    private mutating func parseGroup(depth: Int) throws(RegexSyntaxError) -> Sized {
        let open = pos
        if depth >= RegexPattern.maxNestingDepth {
            throw fail("groups nested more than \(RegexPattern.maxNestingDepth) deep", at: open)
        }
        pos += 1
        if peek() == "?" {
            try parseGroupExtension(open: open)
        }
        let inner = try parseAlternation(depth: depth + 1)
        guard peek() == ")" else { throw fail("missing ')' for this '('", at: open) }
        pos += 1
        return (.group(inner.node), inner.size)
    }

    /// After "(?": only "(?:" is accepted; everything else gets a precise message.
    private mutating func parseGroupExtension(open: Int) throws(RegexSyntaxError) {
        let next = peek(1)
        switch next {
        case ":":
            pos += 2
            return
        case "=", "!":
            throw fail("lookahead assertions are not supported", at: open)
        case "<" where peek(2) == "=" || peek(2) == "!":
            throw fail("lookbehind assertions are not supported", at: open)
        case "<", "'":
            throw fail("named groups are not supported; use ( ) or (?: )", at: open)
        case "P":
            if peek(2) == "=" || peek(2) == ">" {
                throw fail("back-references are not supported", at: open)
            }
            throw fail("named groups are not supported; use ( ) or (?: )", at: open)
        case ">":
            throw fail("atomic groups are not supported", at: open)
        case "#":
            throw fail("comment groups are not supported", at: open)
        case nil:
            throw fail("incomplete group syntax '(?'", at: open)
        case let n? where n == "-" || n == "^" || (n.isASCII && n.properties.isAlphabetic):
            throw fail("inline flags like (?i) are not supported", at: open)
        case let n?:
            throw fail("unsupported group syntax '(?\(n)'", at: open)
        }
    }

    /// An escape outside or inside a bracket expression; the cursor is on '\'.
    private mutating func parseEscape(inBracket: Bool) throws(RegexSyntaxError) -> ByteSet {
        let start = pos
        guard let c = peek(1) else { throw fail("trailing backslash at end of pattern", at: start) }
        pos += 2
        switch c {
        case "d": return .digit
        case "D": return ByteSet.digit.negated
        case "w": return .word
        case "W": return ByteSet.word.negated
        case "s": return .space
        case "S": return ByteSet.space.negated
        case "t": return ByteSet(0x09)
        case "n": return ByteSet(0x0A)
        case "r": return ByteSet(0x0D)
        case "f": return ByteSet(0x0C)
        case "v": return ByteSet(0x0B)
        case "1"..."9", "k", "g":
            throw fail("back-references are not supported", at: start)
        case "b", "B":
            throw fail("word boundaries (\\b, \\B) are not supported", at: start)
        case "A", "z", "Z", "G":
            throw fail("anchor '\\\(c)' is not supported; use ^ and $", at: start)
        case "p", "P":
            throw fail("Unicode properties (\\p{...}) are not supported", at: start)
        case "Q", "E":
            throw fail("quoting with \\Q...\\E is not supported", at: start)
        default:
            if c.isASCII && c.value >= 0x20 && c.value < 0x7F
                && !c.properties.isAlphabetic && !(c >= "0" && c <= "9")
            {
                // Any ASCII punctuation (or space) stands for itself.
                return ByteSet(UInt8(c.value))
            }
            if !c.isASCII {
                throw fail("only ASCII punctuation can be escaped, not '\(c)'", at: start)
            }
            throw fail("unknown escape '\\\(c)'", at: start)
        }
    }

    // MARK: - Bracket expressions

    private enum BracketItem {
        case byte(UInt8)
        case set(ByteSet)
    }

    /// `[...]`; the cursor is on '['.
    private mutating func parseBracket() throws(RegexSyntaxError) -> ByteSet {
        let open = pos
        pos += 1
        var negated = false
        if peek() == "^" {
            negated = true
            pos += 1
        }
        var set = ByteSet()
        var first = true
        while true {
            guard let c = peek() else { throw fail("missing ']' for this '['", at: open) }
            if c == "]" && !first {
                pos += 1
                break
            }
            first = false
            let itemStart = pos
            let item = try parseBracketItem(open: open)
            // A range: x-y, unless the '-' is last ("[a-]").
            if peek() == "-", let after = peek(1), after != "]" {
                guard case .byte(let lo) = item else {
                    throw fail("a class cannot start a range", at: itemStart)
                }
                pos += 1
                let hiStart = pos
                guard case .byte(let hi) = try parseBracketItem(open: open) else {
                    throw fail("a class cannot end a range", at: hiStart)
                }
                if lo > hi {
                    let text = String(chars[itemStart..<pos].map(Character.init))
                    throw fail("invalid range '\(text)': start is greater than end", at: itemStart)
                }
                set.insert(lo...hi)
            } else {
                switch item {
                case .byte(let b): set.insert(b)
                case .set(let s): set.formUnion(s)
                }
            }
        }
        return negated ? set.negated : set
    }

    private mutating func parseBracketItem(open: Int) throws(RegexSyntaxError) -> BracketItem {
        let start = pos
        guard let c = peek() else { throw fail("missing ']' for this '['", at: open) }
        if c == "\\" {
            let set = try parseEscape(inBracket: true)
            if set.count == 1, let b = set.bytes.first { return .byte(b) }
            return .set(set)
        }
        if c == "[", let kind = peek(1), kind == ":" || kind == "=" || kind == "." {
            if kind != ":" {
                throw fail(
                    "collating elements and equivalence classes ([. .] [= =]) are not supported",
                    at: start)
            }
            // [:name:]
            var i = pos + 2
            var name = ""
            while i + 1 < chars.count, !(chars[i] == ":" && chars[i + 1] == "]") {
                name.unicodeScalars.append(chars[i])
                i += 1
            }
            guard i + 1 < chars.count else {
                throw fail("unterminated character class name '[:'", at: start)
            }
            guard let set = ByteSet.posixClass(named: name) else {
                throw fail("unknown character class '[:\(name):]'", at: start)
            }
            pos = i + 2
            return .set(set)
        }
        if !c.isASCII {
            throw fail("non-ASCII characters are not supported inside bracket expressions", at: start)
        }
        pos += 1
        return .byte(UInt8(c.value))
    }
}
