/// Text from the file, made safe to put in an error message: single-quoted,
/// shortened, and with line breaks, control characters and bidirectional
/// overrides escaped so that a policy cannot forge or hide log lines.
func quoted(_ text: String, limit: Int = 60) -> String {
    var out = "'"
    var count = 0
    for scalar in text.unicodeScalars {
        if count == limit {
            out += "…"
            break
        }
        count += 1
        switch scalar.value {
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x00..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x200B...0x200F, 0x202A...0x202E,
            0x2066...0x2069, 0xFEFF:
            out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "'"
}
