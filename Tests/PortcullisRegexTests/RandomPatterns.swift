// Random patterns for the differential tests: a small AST over the alphabet
// below, rendered both in our POSIX-ERE syntax and in Swift Regex syntax,
// plus a sampler that produces strings likely to match.

/// The input alphabet: letters, a digit, an upper-case letter, path punctuation, space, ']'.
let alphabet: [Character] = ["a", "b", "c", "A", "1", "/", "-", ".", " ", "]"]

/// Turns a list of integers into decisions; running out yields 0, the simplest
/// choice, so shrinking the list shrinks the pattern.
struct Chooser {
    let values: [Int]
    var index = 0
    init(_ values: [Int]) { self.values = values }
    mutating func pick(_ n: Int) -> Int {
        defer { index += 1 }
        return index < values.count ? abs(values[index]) % n : 0
    }
}

enum TItem {
    case char(Character)
    case range(Character, Character)
    case posix(String)
    case shorthand(Character)  // d w s D W S
}

indirect enum TNode {
    case lit(Character)
    case dot
    case cls(negated: Bool, items: [TItem])
    case shorthand(Character)
    case concat([TNode])
    case alt([TNode])
    case group(TNode, nonCapturing: Bool)
    case quant(TNode, min: Int, max: Int?, form: Int)  // form 0 '*', 1 '+', 2 '?', 3 braces
    case start, end
}

// MARK: - Generation

func genPattern(_ ch: inout Chooser) -> TNode {
    var items: [TNode] = []
    if ch.pick(4) == 1 { items.append(.start) }
    for _ in 0..<(1 + ch.pick(4)) { items.append(genNode(&ch, depth: 0, repeats: 0)) }
    if ch.pick(4) == 1 { items.append(.end) }
    return items.count == 1 ? items[0] : .concat(items)
}

/// `repeats` counts the enclosing quantifiers that repeat (max > 1). Swift's
/// backtracking engine is exponential in nested repetition, so inside two of
/// them only `?`-like quantifiers are generated (star height at most 2).
private func genNode(_ ch: inout Chooser, depth: Int, repeats: Int) -> TNode {
    switch ch.pick(depth >= 3 ? 6 : 12) {
    case 0, 1, 2: return .lit(alphabet[ch.pick(alphabet.count)])
    case 3: return .dot
    case 4:
        let negated = ch.pick(3) == 0
        var items: [TItem] = []
        for _ in 0..<(1 + ch.pick(3)) { items.append(genItem(&ch)) }
        return .cls(negated: negated, items: items)
    case 5: return .shorthand(Array("dwsDWS")[ch.pick(6)])
    case 6, 7:
        let form = repeats >= 2 ? 2 : ch.pick(6)
        var inner = genNode(&ch, depth: depth + 1, repeats: form == 2 ? repeats : repeats + 1)
        switch inner {
        case .quant, .start, .end: inner = .group(inner, nonCapturing: ch.pick(2) == 0)
        default: break
        }
        switch form {
        case 0: return .quant(inner, min: 0, max: nil, form: 0)
        case 1: return .quant(inner, min: 1, max: nil, form: 1)
        case 2: return .quant(inner, min: 0, max: 1, form: 2)
        case 3:
            let m = ch.pick(4)
            return .quant(inner, min: m, max: m, form: 3)
        case 4: return .quant(inner, min: ch.pick(4), max: nil, form: 3)
        default:
            let m = ch.pick(3)
            return .quant(inner, min: m, max: m + ch.pick(4), form: 3)
        }
    case 8: return .concat((0..<(2 + ch.pick(2))).map { _ in genNode(&ch, depth: depth + 1, repeats: repeats) })
    case 9:
        return .alt((0..<(2 + ch.pick(2))).map { _ in
            ch.pick(8) == 0 ? .concat([]) : genNode(&ch, depth: depth + 1, repeats: repeats)
        })
    case 10: return .group(genNode(&ch, depth: depth + 1, repeats: repeats), nonCapturing: ch.pick(2) == 0)
    default: return ch.pick(2) == 0 ? .start : .end
    }
}

private func genItem(_ ch: inout Chooser) -> TItem {
    switch ch.pick(5) {
    case 0, 1: return .char(alphabet[ch.pick(alphabet.count)])
    case 2:
        let ranges: [(Character, Character)] = [("a", "b"), ("a", "c"), ("b", "c"), ("A", "Z"), ("0", "9"), ("1", "a")]
        let r = ranges[ch.pick(ranges.count)]
        return .range(r.0, r.1)
    case 3:
        return .posix(["alpha", "digit", "alnum", "space", "upper", "lower", "punct", "xdigit"][ch.pick(8)])
    default: return .shorthand(Array("dwsDWS")[ch.pick(6)])
    }
}

// MARK: - Rendering

extension TNode {
    var posix: String { render(swift: false) }
    var swift: String { render(swift: true) }

    func render(swift: Bool) -> String {
        switch self {
        case .lit(let c):
            switch c {
            case ".": return "\\."
            case "]": return "\\]"
            default: return String(c)
            }
        case .dot: return "."
        case .shorthand(let c): return "\\\(c)"
        case .cls(let negated, let items):
            // POSIX puts a literal ']' first, unescaped; Swift needs "\]".
            var body = ""
            let hasBracket = items.contains { if case .char("]") = $0 { return true } else { return false } }
            if hasBracket && !swift { body += "]" }
            for item in items {
                switch item {
                case .char("]"): if swift { body += "\\]" }
                case .char("-"): body += "\\-"
                case .char(let c): body += String(c)
                case .range(let a, let b): body += "\(a)-\(b)"
                case .posix(let name): body += "[:\(name):]"
                case .shorthand(let c): body += "\\\(c)"
                }
            }
            return "[" + (negated ? "^" : "") + body + "]"
        case .concat(let xs):
            return xs.map { x -> String in
                if case .alt = x { return "(?:" + x.render(swift: swift) + ")" }
                return x.render(swift: swift)
            }.joined()
        case .alt(let xs): return xs.map { $0.render(swift: swift) }.joined(separator: "|")
        case .group(let x, let nc): return (nc ? "(?:" : "(") + x.render(swift: swift) + ")"
        case .start: return "^"
        case .end: return "$"
        case .quant(let x, let min, let max, let form):
            var inner = x.render(swift: swift)
            switch x {
            case .lit, .dot, .shorthand, .cls, .group: break
            default: inner = "(?:" + inner + ")"
            }
            switch form {
            case 0: return inner + "*"
            case 1: return inner + "+"
            case 2: return inner + "?"
            default:
                if let max { return max == min ? inner + "{\(min)}" : inner + "{\(min),\(max)}" }
                // Swift's engine ends an unbounded loop at an empty iteration
                // even before the minimum count, so (?:^|a){2,}$ misses "a";
                // x{m}x* is the same language and Swift gets it right.
                if swift && min >= 2 { return inner + "{\(min)}" + inner + "*" }
                return inner + "{\(min),}"
            }
        }
    }
}

// MARK: - Sampling strings

private func inClass(_ c: Character, _ item: TItem) -> Bool {
    let v = c.asciiValue!
    func posix(_ name: String) -> Bool {
        switch name {
        case "alpha": return c.isLetter
        case "digit": return c.isNumber
        case "alnum": return c.isLetter || c.isNumber
        case "space": return c == " "
        case "upper": return c.isUppercase
        case "lower": return c.isLowercase
        case "punct": return "/-.]".contains(c)
        default: return c.isHexDigit
        }
    }
    switch item {
    case .char(let x): return x == c
    case .range(let a, let b): return a.asciiValue! <= v && v <= b.asciiValue!
    case .posix(let name): return posix(name)
    case .shorthand(let s):
        let base: Bool
        switch s.lowercased() {
        case "d": base = posix("digit")
        case "w": base = posix("alnum")
        default: base = posix("space")
        }
        return s.isUppercase ? !base : base
    }
}

/// A string the node probably matches (anchors are ignored).
func sample(_ node: TNode, _ rng: inout SplitMix) -> String {
    switch node {
    case .lit(let c): return String(c)
    case .dot: return String(alphabet.randomElement(using: &rng)!)
    case .shorthand(let s):
        let fits = alphabet.filter { inClass($0, .shorthand(s)) }
        return String((fits.isEmpty ? alphabet : fits).randomElement(using: &rng)!)
    case .cls(let negated, let items):
        let fits = alphabet.filter { c in items.contains { inClass(c, $0) } != negated }
        return String((fits.isEmpty ? alphabet : fits).randomElement(using: &rng)!)
    case .concat(let xs): return xs.map { sample($0, &rng) }.joined()
    case .alt(let xs): return sample(xs.randomElement(using: &rng)!, &rng)
    case .group(let x, _): return sample(x, &rng)
    case .start, .end: return ""
    case .quant(let x, let min, let max, _):
        let n = Int.random(in: min...Swift.max(min, Swift.min(max ?? min + 3, min + 3)), using: &rng)
        return (0..<n).map { _ in sample(x, &rng) }.joined()
    }
}

func randomString(_ rng: inout SplitMix, maxLength: Int = 6) -> String {
    String((0..<Int.random(in: 0...maxLength, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
}

/// Inputs for one pattern: random strings, samples, samples with context, mutated samples.
func testInputs(for node: TNode, seed: UInt64) -> [String] {
    var rng = SplitMix(seed: seed)
    var inputs: [String] = ["", "a"]
    for _ in 0..<6 { inputs.append(randomString(&rng)) }
    for _ in 0..<6 { inputs.append(sample(node, &rng)) }
    for _ in 0..<6 {
        inputs.append(randomString(&rng, maxLength: 2) + sample(node, &rng) + randomString(&rng, maxLength: 2))
    }
    for _ in 0..<4 {
        var chars = Array(sample(node, &rng))
        if chars.isEmpty { continue }
        let i = Int.random(in: 0..<chars.count, using: &rng)
        if Bool.random(using: &rng) {
            chars[i] = alphabet.randomElement(using: &rng)!
        } else {
            chars.remove(at: i)
        }
        inputs.append(String(chars))
    }
    // Keep Swift's backtracking affordable: short inputs under nested repetition.
    let limit = node.starHeight >= 2 ? 10 : 16
    return inputs.filter { $0.utf8.count <= limit }
}

extension TNode {
    /// Nesting depth of repeating quantifiers (max > 1).
    var starHeight: Int {
        switch self {
        case .lit, .dot, .cls, .shorthand, .start, .end: return 0
        case .concat(let xs), .alt(let xs): return xs.map(\.starHeight).max() ?? 0
        case .group(let x, _): return x.starHeight
        case .quant(let x, _, let max, _): return x.starHeight + ((max ?? 2) > 1 ? 1 : 0)
        }
    }
}
