/// A number written as Tetragon reads the values of an `int` argument: Go's
/// `strconv.ParseInt(value, 0, 32)`. An optional sign, then decimal, `0x` hexadecimal,
/// `0o` or leading-`0` octal (`014` is 12), or `0b` binary. Go's `_` digit separators are
/// not read: such a value is refused rather than guessed.
enum TetragonInteger {
    static func parse(_ text: String) -> Int? {
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        let radix: Int
        switch digits.prefix(2).lowercased() {
        case "0x": (radix, digits) = (16, digits.dropFirst(2))
        case "0o": (radix, digits) = (8, digits.dropFirst(2))
        case "0b": (radix, digits) = (2, digits.dropFirst(2))
        default: radix = digits.count > 1 && digits.first == "0" ? 8 : 10
        }
        // Int(_:radix:) would take a second sign: the digits must start with a digit.
        guard let first = digits.first, first.isHexDigit, let magnitude = Int(digits, radix: radix) else {
            return nil
        }
        return Int32(exactly: negative ? -magnitude : magnitude).map(Int.init)
    }
}
