import PortcullisPolicy

/// Random policies over a ScratchTree: exec rules on exact, prefix and regex paths,
/// capability rules for everyone or for subjects with executable and argument
/// conditions, deny and audit actions, enforce and audit modes. Every path pattern
/// is anchored inside the tree, so no rule can touch a program outside it.
struct PolicyGenerator {
    let tree: ScratchTree

    static let directoryRegexes = ["a", "ab?", "(a|b)", "a/b", "[ab]+", "a(/b)?", "[^/]+", ".*", "b"]
    static let nameRegexes = ["x", "xy?", "y", "[xy]", "[xy]+", "x.*", "h", "ip", "(ip|mknod)", "m[a-z]+", "[^/]*"]
    static let prefixTails = ["", "/", "/x", "/i", "/m", "/y"]

    /// `ordinal` numbers the set, for policy names.
    func policies(_ rng: inout SeededRandom, ordinal: Int) -> [Policy] {
        (0..<1 + rng.below(3)).map { i in
            let source = SourceLocation(file: "selftest-set-\(ordinal).yaml", line: 1 + i * 100, column: 1)
            let rules = (0..<1 + rng.below(4)).map { r in
                rule(&rng, source: SourceLocation(file: source.file, line: source.line + 1 + r, column: 3))
            }
            return Policy(
                name: "set\(ordinal)-\(i)", source: source, mode: rng.chance(25) ? .audit : .enforce, rules: rules)
        }
    }

    func rule(_ rng: inout SeededRandom, source: SourceLocation) -> Rule {
        let action: Action = rng.chance(12) ? .allow : rng.chance(60) ? .deny : .audit
        if rng.chance(50) {
            return Rule(
                operation: .exec(paths: patterns(&rng, count: 1 + rng.below(2)), args: nil), subject: .everyone,
                action: action, source: source)
        }
        let capabilities = rng.some(of: Tool.Kind.allCases.map(\.capability), atMost: 2)
        var subject = subject(&rng)
        if action == .allow { subject.except = [] }  // an allow is an exception: it has none of its own
        return Rule(operation: .capability(capabilities), subject: subject, action: action, source: source)
    }

    func subject(_ rng: inout SeededRandom) -> Subject {
        if rng.chance(30) { return .everyone }
        let args = rng.chance(35) ? rng.pick(argumentRegexes) : nil
        let executables = patterns(&rng, count: args == nil ? 1 + rng.below(2) : rng.below(3))
        let uids = rng.chance(30) ? Array(Set(rng.some(of: DifferentialPlan.uids, atMost: 2))).sorted() : []
        let except = rng.chance(25) ? [exception(&rng)] : []
        return Subject(executables: executables, args: args, uids: uids, except: except)
    }

    /// An `except` entry: one condition, on the executable, the arguments or the uid.
    func exception(_ rng: inout SeededRandom) -> Subject {
        switch rng.below(3) {
        case 0: return Subject(executables: patterns(&rng, count: 1))
        case 1: return Subject(args: rng.pick(argumentRegexes))
        default: return Subject(uids: [rng.pick(DifferentialPlan.uids.filter { $0 != 0 })])
        }
    }

    /// Arguments are `link set lo mtu N` (ip) and `<nodes>/eS-K c 1 3` (mknod).
    var argumentRegexes: [String] {
        [
            "mtu 1[0-9]+", "^link set", "9000$", "mtu (1280|1500)", "c 1 3$", "^" + Self.escape(tree.nodes) + "/",
            "[02468] c", "lo", ".*", "^$",
        ]
    }

    /// `count` patterns in the order the native format reads them back: exact, prefix, regex.
    func patterns(_ rng: inout SeededRandom, count: Int) -> [PathPattern] {
        let drawn = (0..<count).map { _ in pattern(&rng) }
        let rank = { (p: PathPattern) -> Int in
            switch p {
            case .exact: return 0
            case .prefix: return 1
            case .regex: return 2
            }
        }
        return drawn.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(
            \.element)
    }

    func pattern(_ rng: inout SeededRandom) -> PathPattern {
        let root = tree.root
        switch rng.below(10) {
        case 0..<3:
            return .exact(
                rng.chance(80)
                    ? rng.pick(tree.paths)
                    : "\(root)/\(rng.pick(ScratchTree.directories))/\(rng.pick(ScratchTree.names))")
        case 3..<5:
            return .prefix("\(root)/\(rng.pick(ScratchTree.directories))\(rng.pick(Self.prefixTails))")
        case 5:
            return .regex("^" + Self.escape(rng.pick(tree.paths)) + "$")  // a literal: matched by identity too
        default:
            let end = rng.chance(70) ? "$" : ""
            return .regex(
                "^\(Self.escape(root))/\(rng.pick(Self.directoryRegexes))/\(rng.pick(Self.nameRegexes))\(end)")
        }
    }

    /// `literal` as a regular expression matching exactly it.
    static func escape(_ literal: String) -> String {
        var out = ""
        for ch in literal {
            if "\\.^$|()[]{}*+?".contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }
}
