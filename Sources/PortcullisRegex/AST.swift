// The parsed form of a pattern. Everything is over bytes: a literal non-ASCII
// character is a concatenation of its UTF-8 bytes.

public indirect enum RegexNode: Hashable, Sendable {
    /// Matches the empty string (an empty pattern, branch or group).
    case empty
    /// Matches one byte from the set.
    case byteSet(ByteSet)
    case concatenation([RegexNode])
    case alternation([RegexNode])
    /// `x*` is min 0 max nil, `x+` min 1 max nil, `x?` min 0 max 1, `x{m,n}`.
    case repetition(RegexNode, min: Int, max: Int?)
    /// `( )` or `(?: )`; there are no captures, so this only delimits.
    case group(RegexNode)
    /// `^`: holds only at the start of the input.
    case startAnchor
    /// `$`: holds only at the end of the input.
    case endAnchor
}

extension RegexNode {
    /// Every byte set the node tests, for computing byte classes.
    func collectByteSets(into sets: inout Set<ByteSet>) {
        forEachByteSet { sets.insert($0) }
    }

    /// Calls `body` with every byte set the node tests, in pattern order.
    func forEachByteSet(_ body: (ByteSet) -> Void) {
        switch self {
        case .empty, .startAnchor, .endAnchor: break
        case .byteSet(let s): body(s)
        case .concatenation(let xs), .alternation(let xs):
            for x in xs { x.forEachByteSet(body) }
        case .repetition(let x, _, _), .group(let x): x.forEachByteSet(body)
        }
    }
}

extension RegexNode: CustomStringConvertible {
    /// A pattern-like rendering for diagnostics and test output.
    public var description: String {
        switch self {
        case .empty: return ""
        case .byteSet(let s): return s.description
        case .concatenation(let xs):
            return xs.map { x -> String in
                if case .alternation = x { return "(\(x))" }
                return x.description
            }.joined()
        case .alternation(let xs): return xs.map(\.description).joined(separator: "|")
        case .group(let x): return "(\(x))"
        case .startAnchor: return "^"
        case .endAnchor: return "$"
        case .repetition(let x, let min, let max):
            var inner = x.description
            switch x {
            case .byteSet, .group: break
            default: inner = "(\(inner))"
            }
            switch (min, max) {
            case (0, nil): return inner + "*"
            case (1, nil): return inner + "+"
            case (0, 1): return inner + "?"
            case (let m, nil): return inner + "{\(m),}"
            case (let m, let n?) where m == n: return inner + "{\(m)}"
            case (let m, let n?): return inner + "{\(m),\(n)}"
            }
        }
    }
}
