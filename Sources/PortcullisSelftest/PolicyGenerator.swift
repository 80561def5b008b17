import PortcullisPolicy
import PortcullisRegex

/// Random policies over a ScratchTree: exec rules on exact, prefix and regex paths,
/// with argument conditions and caller subjects; capability rules for everyone or
/// for subjects with executable, argument, uid, unit and cgroup conditions and
/// exceptions; deny and audit actions, enforce and audit modes. Every exec path
/// pattern is anchored inside the tree, so no rule can touch a program outside it.
struct PolicyGenerator {
    let tree: ScratchTree

    static let directoryRegexes = ["a", "ab?", "(a|b)", "a/b", "[ab]+", "a(/b)?", "[^/]+", ".*", "b"]
    static let nameRegexes = ["x", "xy?", "y", "[xy]", "[xy]+", "x.*", "h", "ip", "(ip|mknod)", "m[a-z]+", "[^/]*"]
    static let prefixTails = ["", "/", "/x", "/i", "/m", "/y"]

    /// `ordinal` numbers the set, for policy names.
    func policies(_ rng: inout SeededRandom, ordinal: Int) -> [Policy] {
        var execPaths: [[PathPattern]] = []
        return (0..<1 + rng.below(3)).map { i in
            let source = SourceLocation(file: "selftest-set-\(ordinal).yaml", line: 1 + i * 100, column: 1)
            let rules = (0..<1 + rng.below(4)).map { r in
                rule(&rng, source: SourceLocation(file: source.file, line: source.line + 1 + r, column: 3), &execPaths)
            }
            return Policy(
                name: "set\(ordinal)-\(i)", source: source, mode: rng.chance(25) ? .audit : .enforce, rules: rules)
        }
    }

    /// `execPaths`: the paths of the set's exec rules so far; a rule takes one of them
    /// again now and then, so that rules with and without conditions meet on one exec
    /// (audited by the hook, then killed or audited again after it).
    func rule(_ rng: inout SeededRandom, source: SourceLocation, _ execPaths: inout [[PathPattern]]) -> Rule {
        let action: Action = rng.chance(12) ? .allow : rng.chance(60) ? .deny : .audit
        if rng.chance(50) {
            let again = !execPaths.isEmpty && rng.chance(40)
            // An argument condition narrows the rule: its paths are broader as a rule.
            let args = rng.chance(again ? 80 : 35) ? rng.pick(Self.execArgumentRegexes) : nil
            let paths =
                again
                ? rng.pick(execPaths)
                : args != nil && rng.chance(60)
                    ? [.prefix(tree.root + rng.pick(["/", "/a", "/a/", "/b/", "/l/"]))]
                    : patterns(&rng, count: 1 + rng.below(2))
            execPaths.append(paths)
            // An allow with conditions silences its policy only where they hold (pc_rules.h).
            let caller = rng.chance(45) ? callerSubject(&rng) : .everyone
            return Rule(operation: .exec(paths: paths, args: args), subject: caller, action: action, source: source)
        }
        let capabilities = rng.some(of: Tool.Kind.allCases.map(\.capability), atMost: 2)
        var subject = subject(&rng)
        if action == .allow { subject.except = [] }  // an allow is an exception: it has none of its own
        return Rule(operation: .capability(capabilities), subject: subject, action: action, source: source)
    }

    /// The subject of a tool using its capability: conditions on the tool's path, its
    /// arguments, its uid, its cgroup.
    func subject(_ rng: inout SeededRandom) -> Subject {
        if rng.chance(30) { return .everyone }
        let args = rng.chance(35) ? rng.pick(argumentRegexes) : nil
        let executables = patterns(&rng, count: args == nil ? 1 + rng.below(2) : rng.below(3))
        let uids = rng.chance(30) ? Array(Set(rng.some(of: DifferentialPlan.uids, atMost: 2))).sorted() : []
        var subject = Subject(executables: executables, args: args, uids: uids)
        if rng.chance(30) { (subject.units, subject.cgroups) = place(&rng) }
        subject.except = rng.chance(25) ? [exception(&rng)] : []
        return subject
    }

    /// The caller condition of an exec rule: who calls execve, which is the selftest's
    /// child (the portcullis binary, its arguments, uid 0) or bash run by setpriv
    /// (`-c SCRIPT APPLET PATH ARGS...`, another uid); both in the event's cgroup.
    func callerSubject(_ rng: inout SeededRandom) -> Subject {
        var subject = Subject()
        // One condition, or two: the caller meets a conjunction of more too rarely.
        for kind in rng.some(of: [0, 1, 2, 3], atMost: rng.chance(70) ? 1 : 2) {
            switch kind {
            case 0: subject.uids = Array(Set(rng.some(of: DifferentialPlan.uids, atMost: 2))).sorted()
            case 1: (subject.units, subject.cgroups) = place(&rng)
            case 2:
                subject.executables = rng.chance(80) ? [rng.pick(Self.callerExecutables)] : patterns(&rng, count: 1)
            default: subject.args = rng.pick(Self.callerArgumentRegexes)
            }
        }
        subject.except = rng.chance(25) ? [exception(&rng)] : []
        return subject
    }

    /// An `except` entry: one condition, on the executable, the arguments, the uid or
    /// the cgroup.
    func exception(_ rng: inout SeededRandom) -> Subject {
        switch rng.below(5) {
        case 0: return Subject(executables: rng.chance(70) ? patterns(&rng, count: 1) : [rng.pick(Self.callerExecutables)])
        case 1: return Subject(args: rng.pick(argumentRegexes + Self.callerArgumentRegexes))
        case 2: return Subject(uids: [rng.pick(DifferentialPlan.uids.filter { $0 != 0 })])
        default:
            let (units, cgroups) = place(&rng)
            return Subject(units: units, cgroups: cgroups)
        }
    }

    /// A unit and cgroup condition over DifferentialPlan.eventCgroups: units, cgroup
    /// subtrees and regexes (at least one), in the order the native format reads them
    /// back (subtrees before regexes).
    func place(_ rng: inout SeededRandom) -> (units: [String], cgroups: [PathPattern]) {
        var units: [String] = []
        var cgroups: [PathPattern] = []
        while units.isEmpty && cgroups.isEmpty {
            if rng.chance(50) { units = rng.some(of: Self.units, atMost: 2) }
            if rng.chance(40) {
                let path = rng.chance(5) ? "/" : rng.pick(DifferentialPlan.eventCgroups.filter { $0 != "/" })
                cgroups += path == "/" ? [.prefix("/")] : [.exact(path), .prefix(path + "/")]
            }
            if rng.chance(30) { cgroups.append(.regex(rng.pick(Self.cgroupRegexes))) }
        }
        return (units, cgroups)
    }

    static let units = ["pcd-web.service", "pcd-db.service", "pcd.slice", "pcd-none.service", "7.scope"]
    static let cgroupRegexes = ["^/pcd-jobs/[0-9]+$", "web", "^/pcd\\.slice/[^/]+$", "worker$", "^/$", "^/pcd"]

    /// Who may call the exec of a tree program: the selftest binary or bash.
    static let callerExecutables: [PathPattern] = [
        .regex("/bash$"), .regex("portcullis$"), .prefix("/usr/"), .regex("^/usr/s?bin/"), .regex("/(ba)?sh$"),
    ]
    /// The callers' arguments: the selftest's command line, or bash's
    /// `-c SCRIPT APPLET PATH ARGS...`.
    static let callerArgumentRegexes = ["^-c ", "differential", "--seed [0-9]+", "^selftest", "exec -a", "pod", "mtu"]
    /// The new program's arguments (DifferentialPlan.programArguments, and the tools').
    static let execArgumentRegexes = [
        "^exec( |$)", "prod", "^$", "^get", "pod", "[0-9]$", ".*", "^(get|delete) ", "mtu 1[0-9]+", "c 1 3$",
    ]

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
    static func escape(_ literal: String) -> String { RegexPattern.escape(literal) }
}
