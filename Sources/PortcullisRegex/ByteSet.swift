// A set of bytes (0...255) as a 256-bit bitmap. Every atom of a pattern
// ("a", ".", "[a-z]", "\d", one byte of a UTF-8 sequence) becomes one ByteSet.

public struct ByteSet: Hashable, Sendable {
    // Bits 0-63, 64-127, 128-191, 192-255.
    @usableFromInline var w0: UInt64 = 0
    @usableFromInline var w1: UInt64 = 0
    @usableFromInline var w2: UInt64 = 0
    @usableFromInline var w3: UInt64 = 0

    public init() {}

    public init(_ byte: UInt8) { insert(byte) }

    public init(_ range: ClosedRange<UInt8>) { insert(range) }

    public init(_ bytes: some Sequence<UInt8>) {
        for b in bytes { insert(b) }
    }

    /// All 256 bytes.
    public static let all: ByteSet = ByteSet(0...255)

    @inlinable
    public func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return w0 & bit != 0
        case 1: return w1 & bit != 0
        case 2: return w2 & bit != 0
        default: return w3 & bit != 0
        }
    }

    public mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: w0 |= bit
        case 1: w1 |= bit
        case 2: w2 |= bit
        default: w3 |= bit
        }
    }

    public mutating func remove(_ byte: UInt8) {
        let bit = ~(UInt64(1) << UInt64(byte & 63))
        switch byte >> 6 {
        case 0: w0 &= bit
        case 1: w1 &= bit
        case 2: w2 &= bit
        default: w3 &= bit
        }
    }

    public mutating func insert(_ range: ClosedRange<UInt8>) {
        for b in range { insert(b) }
    }

    public mutating func formUnion(_ other: ByteSet) {
        w0 |= other.w0; w1 |= other.w1; w2 |= other.w2; w3 |= other.w3
    }

    public func union(_ other: ByteSet) -> ByteSet {
        var r = self
        r.formUnion(other)
        return r
    }

    /// The complement over all 256 bytes.
    public var inverted: ByteSet {
        var r = ByteSet()
        r.w0 = ~w0; r.w1 = ~w1; r.w2 = ~w2; r.w3 = ~w3
        return r
    }

    public var isEmpty: Bool { (w0 | w1 | w2 | w3) == 0 }

    public var count: Int {
        w0.nonzeroBitCount + w1.nonzeroBitCount + w2.nonzeroBitCount + w3.nonzeroBitCount
    }

    /// The members in ascending order.
    public var bytes: [UInt8] { (0...255).filter { contains(UInt8($0)) }.map { UInt8($0) } }
}

// MARK: - Named classes (ASCII only, as the kernel sees bytes)

extension ByteSet {
    public static let digit = ByteSet(UInt8(ascii: "0")...UInt8(ascii: "9"))
    public static let upper = ByteSet(UInt8(ascii: "A")...UInt8(ascii: "Z"))
    public static let lower = ByteSet(UInt8(ascii: "a")...UInt8(ascii: "z"))
    public static let alpha = upper.union(lower)
    public static let alnum = alpha.union(digit)
    /// `\w`: letters, digits and underscore.
    public static let word = alnum.union(ByteSet(UInt8(ascii: "_")))
    /// Space, \t, \n, \v, \f, \r.
    public static let space = ByteSet(UInt8(ascii: " ")).union(ByteSet(0x09...0x0D))
    public static let blank = ByteSet([UInt8(ascii: " "), 0x09])
    public static let cntrl = ByteSet(0x00...0x1F).union(ByteSet(0x7F))
    public static let graph = ByteSet(0x21...0x7E)
    public static let print = ByteSet(0x20...0x7E)
    public static let punct = ByteSet(0x21...0x2F).union(ByteSet(0x3A...0x40))
        .union(ByteSet(0x5B...0x60)).union(ByteSet(0x7B...0x7E))
    public static let xdigit = digit.union(ByteSet(UInt8(ascii: "A")...UInt8(ascii: "F")))
        .union(ByteSet(UInt8(ascii: "a")...UInt8(ascii: "f")))

    /// What `.`, negated brackets and `\D` `\W` `\S` may match: every byte but NUL.
    public static let nonNUL: ByteSet = {
        var s = ByteSet.all
        s.remove(0)
        return s
    }()

    /// The complement of `self` within `nonNUL` (used for `[^...]`, `\D`, `\W`, `\S`).
    public var negated: ByteSet {
        var r = inverted
        r.remove(0)
        return r
    }

    /// POSIX bracket class names, `[[:name:]]`.
    public static func posixClass(named name: String) -> ByteSet? {
        switch name {
        case "alpha": return .alpha
        case "digit": return .digit
        case "alnum": return .alnum
        case "space": return .space
        case "upper": return .upper
        case "lower": return .lower
        case "punct": return .punct
        case "xdigit": return .xdigit
        case "blank": return .blank
        case "cntrl": return .cntrl
        case "graph": return .graph
        case "print": return .print
        default: return nil
        }
    }
}

extension ByteSet: CustomStringConvertible {
    /// Pattern-like rendering: a single printable byte as itself (escaped when
    /// special), otherwise a bracket expression; non-printable bytes as \xHH.
    public var description: String {
        if self == .nonNUL { return "." }
        let members = bytes
        if members.count == 1 { return Self.render(members[0], inBracket: false) }
        var out = "["
        var i = 0
        while i < members.count {
            var j = i
            while j + 1 < members.count && members[j + 1] == members[j] + 1 { j += 1 }
            out += Self.render(members[i], inBracket: true)
            if j > i {
                if j > i + 1 { out += "-" }
                out += Self.render(members[j], inBracket: true)
            }
            i = j + 1
        }
        return out + "]"
    }

    static func render(_ b: UInt8, inBracket: Bool) -> String {
        if b < 0x20 || b >= 0x7F {
            let hex = String(b, radix: 16, uppercase: true)
            return "\\x" + (hex.count == 1 ? "0" + hex : hex)
        }
        let c = Character(Unicode.Scalar(b))
        let special: Set<Character> = inBracket ? ["]", "\\", "-", "^", "["] : [
            ".", "[", "]", "(", ")", "|", "*", "+", "?", "{", "}", "^", "$", "\\",
        ]
        return special.contains(c) ? "\\\(c)" : String(c)
    }
}
