/// What a file holds, named by its SHA-256 digest (32 bytes), as exec rules match
/// it: `sha256: <64 hex digits>`.
public struct ContentDigest: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public static let byteCount = 32

    /// From 32 bytes; nil for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// From 64 hexadecimal digits, either case; nil for anything else.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == Self.byteCount * 2 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[i]), let low = Self.nibble(digits[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Lower-case hexadecimal, as sha256sum prints it.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(Self.byteCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { "sha256:\(hex)" }

    public static func < (a: ContentDigest, b: ContentDigest) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}

/// What an exec rule says of the content of the file executed.
public struct ExecContent: Sendable, Hashable {
    /// `sha256:`: the file's digest must be one of these (and, when the rule has path
    /// conditions, its path must match one of them as well). Empty: no such condition.
    public var digests: [ContentDigest]
    /// Whether the rule's literal paths also match the content of the files there, so
    /// a copy, a memfd, a renamed file or a hard link left behind meets the rule
    /// (deny and audit rules; `matchCopies: false` turns it off).
    public var matchCopies: Bool

    public init(digests: [ContentDigest] = [], matchCopies: Bool = true) {
        self.digests = digests
        self.matchCopies = matchCopies
    }
}
