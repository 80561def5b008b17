import PortcullisCompiler
import PortcullisPolicy
import PortcullisRegex

/// An exec deny that matches a critical file (CriticalFiles) denies it at every
/// exec and every executable mapping: every program mapping the loader or libc
/// fails. In a policy in enforce mode that is an error at the rule, unless the
/// rule says it means it (`denyCriticalFiles: true`: a warning). Subject, argument
/// and content conditions do not lift it: a denied libc breaks whoever the rule
/// applies to, and at a mapping outside an exec an argument condition counts as
/// met. Audit rules and audit-mode policies never deny, and an allow never does.
public enum CriticalRules {
    /// Whether the kernel would deny the files `rule` matches, in a policy in `mode`.
    public static func denies(_ rule: Rule, mode: Policy.Mode) -> Bool {
        guard mode == .enforce, rule.action == .deny, case .exec = rule.operation else { return false }
        return true
    }

    /// The path patterns of an exec rule as the kernel matches them: its own, with
    /// the canonical paths of literal symlinks added (SymlinkResolution); every path
    /// when it has no path condition (only arguments or a subject); none when it is
    /// only about content (`sha256:`). Anonymous patterns match no path.
    static func patterns(of rule: Rule) -> [PathPattern] {
        guard case .exec(let paths, _, let content) = rule.operation else { return [] }
        return PolicyCompiler.execPaths(SymlinkResolution.resolve(paths), content: content).filter { !$0.isAnonymous }
    }

    /// For each of `rules`, the critical files its path patterns match, in message
    /// order (whatever its action and conditions). Exact paths and prefixes are
    /// compared as bytes; the regexes of all the rules that could match one of
    /// the files are compiled into one DFA whose accept lists name the rules.
    public static func hits(_ rules: [Rule], in critical: CriticalFiles) -> [[CriticalFiles.File]] {
        var found = [[CriticalFiles.File]](repeating: [], count: rules.count)
        guard !critical.isEmpty else { return found }
        let files = critical.sorted
        let paths = files.map { Array($0.path.utf8) }
        let patterns = rules.map(patterns(of:))
        var regexes: [(id: Int, pattern: String, node: RegexNode)] = []
        for (index, rulePatterns) in patterns.enumerated() {
            for case .regex(let regex) in rulePatterns {
                // One that does not parse is the compiler's to report.
                guard let node = try? RegexPattern.parse(PolicyCompiler.execRegex(.regex(regex))) else { continue }
                if let head = anchoredHead(node), !paths.contains(where: { starts($0, with: head) }) { continue }
                regexes.append((index, regex, node))
            }
        }
        let dfa = automaton(regexes)
        for (file, path) in zip(files, paths) {
            var matched = Set(dfa.flatMap { $0.matches(path) })
            for (index, rulePatterns) in patterns.enumerated() where !matched.contains(index) {
                let literal = rulePatterns.contains { pattern in
                    switch pattern {
                    case .exact(let exact): return path.elementsEqual(exact.utf8)
                    case .prefix(let prefix): return path.starts(with: prefix.utf8)
                    case .regex: return false
                    }
                }
                if literal { matched.insert(index) }
            }
            for index in matched { found[index].append(file) }
        }
        return found
    }

    /// The byte sets an anchored pattern starts with (`^/usr/local/app[0-9]/` gives
    /// 16 sets): a path matches it only if it starts with them. Nil for a pattern
    /// not anchored at the start, whose match may begin anywhere.
    static func anchoredHead(_ node: RegexNode) -> [ByteSet]? {
        var atoms: [RegexNode] = []
        func flatten(_ node: RegexNode) -> Bool {
            switch node {
            case .concatenation(let items):
                for item in items where !flatten(item) { return false }
                return true
            case .group(let inner): return flatten(inner)
            case .startAnchor, .byteSet, .empty:
                if node != .empty { atoms.append(node) }
                return true
            default:
                atoms.append(node)
                return false
            }
        }
        _ = flatten(node)
        guard atoms.first == .startAnchor else { return nil }
        var head: [ByteSet] = []
        for atom in atoms.dropFirst() {
            guard case .byteSet(let set) = atom else { break }
            head.append(set)
        }
        return head
    }

    static func starts(_ path: [UInt8], with head: [ByteSet]) -> Bool {
        guard path.count >= head.count else { return false }
        for index in head.indices where !head[index].contains(path[index]) { return false }
        return true
    }

    /// The DFAs of `regexes`: one when they fit together, else one per rule (a rule
    /// whose regexes do not compile is left to the compiler, which names it).
    static func automaton(_ regexes: [(id: Int, pattern: String, node: RegexNode)]) -> [DFA] {
        guard !regexes.isEmpty else { return [] }
        if let dfa = try? DFACompiler.compile(parsed: regexes) { return [dfa] }
        return Dictionary(grouping: regexes, by: \.id).values.compactMap { try? DFACompiler.compile(parsed: $0) }
    }

    /// The diagnostics of `policies`' deny rules that match critical files: an error
    /// at each such rule, or a warning when it says `denyCriticalFiles: true`.
    /// `critical` is asked only when some rule could match a path.
    public static func diagnostics(_ policies: [Policy], critical: () -> CriticalFiles) -> [Diagnostic] {
        let rules = policies.flatMap { policy in
            policy.rules.filter { denies($0, mode: policy.mode) && !patterns(of: $0).isEmpty }
        }
        guard !rules.isEmpty else { return [] }
        return zip(rules, hits(rules, in: critical())).compactMap { rule, files in
            guard let first = files.first else { return nil }
            let others = files.count > 1 ? " and \(files.count - 1) other critical file(s)" : ""
            let location = rule.source
            if rule.denyCriticalFiles {
                return Diagnostic(
                    .warning, file: location.file, line: location.line, column: location.column,
                    "this rule denies critical file \(first)\(others) on purpose (denyCriticalFiles: true)")
            }
            let named = files.prefix(3).map(\.description).joined(separator: ", ")
            let more = files.count > 3 ? " and \(files.count - 3) other critical file(s)" : ""
            return Diagnostic(
                .error, file: location.file, line: location.line, column: location.column,
                "this rule denies \(named)\(more): every program mapping \(files.count > 1 ? "them" : "it") would fail; "
                    + "anchor the pattern, or add `denyCriticalFiles: true` to the rule if you mean it")
        }
    }
}

/// A policy file's bytes → the file the daemon uses: read (PolicyReader), then
/// checked against this host's critical files (CriticalRules). The daemon's
/// reads (PolicyDirectory.readFile) and `portcullis check`'s (files,
/// directories, `--as`, standard input) all go through here, so they cannot
/// disagree about a file.
public enum PolicyFileReader {
    public static func read(_ bytes: [UInt8], file: String) -> PolicyFile {
        read(bytes, file: file, critical: CriticalFiles.current)
    }

    /// The same against the critical set `critical` gives (asked only when a rule could match it).
    public static func read(_ bytes: [UInt8], file: String, critical: () -> CriticalFiles) -> PolicyFile {
        var parsed = PolicyReader.read(bytes, file: file)
        parsed.diagnostics += CriticalRules.diagnostics(parsed.policies, critical: critical)
        return parsed
    }
}
