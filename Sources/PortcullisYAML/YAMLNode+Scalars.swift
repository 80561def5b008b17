// Typed views of plain scalars (YAML 1.2 core schema, deliberately narrow).
//
// Only plain (unquoted) scalars are typed: `"true"` and `'5'` are strings. A scalar
// with an explicit tag is typed only when the tag is the matching core tag, so
// `!!str true` is a string and `!!int 5` is an integer.

enum CoreTag {
    static let null = "tag:yaml.org,2002:null"
    static let bool = "tag:yaml.org,2002:bool"
    static let int = "tag:yaml.org,2002:int"
    static let merge = "tag:yaml.org,2002:merge"
}

extension YAMLNode {
    /// The text of a plain scalar whose tag is absent or `coreTag`.
    private func plainText(allowing coreTag: String) -> String? {
        guard case .scalar(let text, .plain) = kind else { return nil }
        guard tag == nil || tag == coreTag else { return nil }
        return text
    }

    /// A plain `""` (an empty value), `~`, `null`, `Null` or `NULL`.
    public var isNull: Bool {
        switch plainText(allowing: CoreTag.null) {
        case "", "~", "null", "Null", "NULL": true
        default: false
        }
    }

    /// `true`/`True`/`TRUE` or `false`/`False`/`FALSE`, plain only.
    /// YAML 1.1 spellings (`yes`, `no`, `on`, `off`, `y`, `n`) are NOT booleans:
    /// `country: no` stays the string "no".
    public var bool: Bool? {
        switch plainText(allowing: CoreTag.bool) {
        case "true", "True", "TRUE": true
        case "false", "False", "FALSE": false
        default: nil
        }
    }

    /// A plain decimal integer with an optional sign (`42`, `-7`, `+3`) or a
    /// hexadecimal one (`0x1F`, no sign). Nil on overflow, and nil for anything
    /// else: `1_000`, `1.0`, `0o17`, and decimals with leading zeros such as
    /// `0755` (YAML 1.1 reads that as octal, YAML 1.2 as decimal: refused).
    public var int: Int? {
        guard let text = plainText(allowing: CoreTag.int) else { return nil }
        return parseCoreInt(Array(text.utf8))
    }
}

/// Digits `[-+]?(0|[1-9][0-9]*)` or `0x[0-9a-fA-F]+`, without overflow.
func parseCoreInt(_ s: [UInt8]) -> Int? {
    if s.count > 2, s[0] == UInt8(ascii: "0"), s[1] == UInt8(ascii: "x") {
        var value = 0
        for c in s[2...] {
            guard let digit = hexDigit(c) else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 16)
            let (sum, o2) = shifted.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }
    var digits = s[...]
    var negative = false
    if let first = digits.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
        negative = first == UInt8(ascii: "-")
        digits = digits.dropFirst()
    }
    guard !digits.isEmpty else { return nil }
    if digits.count > 1, digits.first == UInt8(ascii: "0") { return nil }
    // Accumulate towards the sign so that Int.min parses.
    var value = 0
    for c in digits {
        guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
        let digit = Int(c - UInt8(ascii: "0"))
        let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
        let (sum, o2) =
            negative
            ? shifted.subtractingReportingOverflow(digit)
            : shifted.addingReportingOverflow(digit)
        if o1 || o2 { return nil }
        value = sum
    }
    return value
}

private func hexDigit(_ c: UInt8) -> Int? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(c - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(c - UInt8(ascii: "a")) + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(c - UInt8(ascii: "A")) + 10
    default: nil
    }
}
