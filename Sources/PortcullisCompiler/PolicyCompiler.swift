import PortcullisPolicy
import PortcullisRegex

/// Policy model → compiled image.
public enum PolicyCompiler {
    public static let defaultStateLimit = 65_536

    public static func compile(
        _ policies: [Policy], generation: UInt64, stateLimit: Int = defaultStateLimit
    ) throws(CompileError) -> CompiledPolicy {
        var rules: [CompiledRule] = []
        var diagnostics: [Diagnostic] = []
        var execPatterns: [(id: Int, pattern: String)] = []

        for policy in policies {
            for rule in policy.rules {
                guard let paths = enforceableExecPaths(rule, &diagnostics) else { continue }
                let index = rules.count
                let action = policy.mode == .audit && rule.action == .deny ? .audit : rule.action
                rules.append(CompiledRule(index: index, policy: policy.name, rule: rule, action: action))
                execPatterns += paths.map { (id: index, pattern: PathRegex.pattern(for: $0)) }
            }
        }

        var writer = ImageWriter(generation: generation)
        var execStates = 0
        if !execPatterns.isEmpty {
            let dfa: DFA
            do {
                dfa = try DFACompiler.compile(execPatterns, stateLimit: stateLimit)
            } catch let error as DFACompileError {
                throw CompileError(rule: rules[error.patternID].rule, message: error.message)
            } catch {
                throw CompileError(rule: rules[0].rule, message: "\(error)")
            }
            execStates = dfa.stateCount
            writer.setHeader(ABI.Header.execDFA, writer.appendDFA(ordered(dfa, by: rules)))
        }
        var table = [UInt32](repeating: 0, count: rules.count * ABI.Rule.words)
        for rule in rules {
            table[rule.index * ABI.Rule.words + ABI.Rule.action] = kernelAction(rule.action)
            table[rule.index * ABI.Rule.words + ABI.Rule.id] = UInt32(rule.index)
        }
        writer.setHeader(ABI.Header.rules, writer.append(table))
        writer.setHeader(ABI.Header.ruleCount, UInt32(rules.count))
        return CompiledPolicy(
            image: writer.image, rules: rules, diagnostics: diagnostics, execStates: execStates)
    }

    /// The paths of an exec rule the kernel enforces today, or nil (with a warning) when
    /// the rule needs a feature this build does not have yet.
    static func enforceableExecPaths(_ rule: Rule, _ diagnostics: inout [Diagnostic]) -> [PathPattern]? {
        func notYet(_ what: String) -> [PathPattern]? {
            diagnostics.append(
                Diagnostic(
                    .warning, file: rule.source.file, line: rule.source.line,
                    column: rule.source.column, "\(what) are not enforced by this build yet; rule skipped"))
            return nil
        }
        guard case .exec(let paths, let args) = rule.operation else { return notYet("capability rules") }
        if args != nil { return notYet("argument conditions on exec rules") }
        if !rule.subject.isEveryone { return notYet("subject conditions on exec rules") }
        if rule.action == .allow { return notYet("allow rules") }
        if paths.isEmpty { return notYet("exec rules without a path") }
        return paths
    }

    /// Accept lists in the order the kernel reads them: strongest action first, so the
    /// first PC_ACCEPT_MAX entries always decide.
    static func ordered(_ dfa: DFA, by rules: [CompiledRule]) -> DFA {
        var dfa = dfa
        dfa.accepts = dfa.accepts.map { ids in
            ids.sorted { (kernelAction(rules[$0].action), -$0) > (kernelAction(rules[$1].action), -$1) }
        }
        return dfa
    }

    static func kernelAction(_ action: Action) -> UInt32 {
        switch action {
        case .deny: return ABI.Action.deny
        case .audit: return ABI.Action.audit
        case .allow: return ABI.Action.none
        }
    }
}

/// Exact paths and prefixes become anchored regular expressions, so every path
/// condition is walked by the same DFA.
enum PathRegex {
    static func pattern(for path: PathPattern) -> String {
        switch path {
        case .exact(let p): return "^" + escape(p) + "$"
        case .prefix(let p): return "^" + escape(p)
        case .regex(let r): return r
        }
    }

    static func escape(_ literal: String) -> String {
        var out = ""
        for scalar in literal.unicodeScalars {
            let isWord = scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
            if scalar.isASCII && !isWord { out.append("\\") }
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}
