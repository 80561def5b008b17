/// The bytes given to libyaml, checked first so that encoding problems get
/// precise positions (libyaml's own reader errors carry only a byte offset).
///
/// A leading UTF-8 byte order mark is removed here, and libyaml is told the
/// input is UTF-8, so every position is relative to the text after the mark.
struct InputText {
    let bytes: [UInt8]
    private let startsWithUTF16Mark: Bool

    init(_ raw: [UInt8]) {
        if raw.count >= 3, raw[0] == 0xEF, raw[1] == 0xBB, raw[2] == 0xBF {
            bytes = Array(raw[3...])
        } else {
            bytes = raw
        }
        startsWithUTF16Mark =
            raw.count >= 2 && ((raw[0] == 0xFF && raw[1] == 0xFE) || (raw[0] == 0xFE && raw[1] == 0xFF))
    }

    /// Rejects what libyaml's reader would reject, with better messages:
    /// invalid UTF-8, NUL, and the other control characters YAML forbids
    /// (everything outside tab, LF, CR, 0x20-0x7E, U+0085, U+00A0-U+D7FF,
    /// U+E000-U+FFFD, U+10000-U+10FFFF).
    func validate(file: String) throws(YAMLError) {
        if startsWithUTF16Mark {
            throw YAMLError(
                file: file, mark: SourceMark(line: 1, column: 1),
                message: "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8")
        }
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte < 0x80 {
                if byte == 0 {
                    throw error(at: i, file: file, "NUL byte (0x00) is not allowed")
                }
                if (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0x7F {
                    throw error(at: i, file: file, "control character \(uPlus(UInt32(byte))) is not allowed")
                }
                i += 1
                continue
            }
            guard let (scalar, length) = decodeUTF8(at: i) else {
                throw error(
                    at: i, file: file,
                    "invalid UTF-8: byte \(hexByte(byte)) does not start a valid UTF-8 sequence")
            }
            let allowed =
                scalar == 0x85 || (0xA0...0xD7FF).contains(scalar) || (0xE000...0xFFFD).contains(scalar)
                || (0x10000...0x10FFFF).contains(scalar)
            if !allowed {
                throw error(at: i, file: file, "control character \(uPlus(scalar)) is not allowed")
            }
            i += length
        }
    }

    /// The position of a byte offset, counted the way libyaml counts: CR LF, CR,
    /// LF, U+0085, U+2028 and U+2029 end a line; every other character is one column.
    func mark(atByteOffset offset: Int) -> SourceMark {
        var line = 0
        var column = 0
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            let byte = bytes[i]
            if byte == 0x0D {
                i += (i + 1 < bytes.count && bytes[i + 1] == 0x0A) ? 2 : 1
                line += 1
                column = 0
            } else if byte == 0x0A {
                i += 1
                line += 1
                column = 0
            } else if byte == 0xC2, i + 1 < bytes.count, bytes[i + 1] == 0x85 {
                i += 2
                line += 1
                column = 0
            } else if byte == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x80,
                bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9
            {
                i += 3
                line += 1
                column = 0
            } else {
                i += utf8Length(lead: byte)
                column += 1
            }
        }
        return SourceMark(line: line + 1, column: column + 1)
    }

    /// The character at libyaml's `mark.index` (a character index, not a byte offset).
    func character(atIndex index: Int) -> Unicode.Scalar? {
        guard index >= 0 else { return nil }
        var remaining = index
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            if remaining == 0 { return scalar }
            remaining -= 1
        }
        return nil
    }

    private func error(at offset: Int, file: String, _ message: String) -> YAMLError {
        YAMLError(file: file, mark: mark(atByteOffset: offset), message: message)
    }

    /// Strict UTF-8 decoding: no overlong forms, no surrogates, nothing above U+10FFFF.
    private func decodeUTF8(at i: Int) -> (UInt32, Int)? {
        let lead = bytes[i]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: return nil
        }
        guard i + length <= bytes.count else { return nil }
        var scalar = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for k in 1..<length {
            let byte = bytes[i + k]
            let (lo, hi) = k == 1 ? (lower, upper) : (0x80, 0xBF)
            guard byte >= lo, byte <= hi else { return nil }
            scalar = scalar << 6 | UInt32(byte & 0x3F)
        }
        return (scalar, length)
    }
}

private func utf8Length(lead: UInt8) -> Int {
    switch lead {
    case 0xC0...0xDF: 2
    case 0xE0...0xEF: 3
    case 0xF0...0xF7: 4
    default: 1
    }
}

func hexByte(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return "0x" + (digits.count < 2 ? "0" + digits : digits)
}

func uPlus(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
