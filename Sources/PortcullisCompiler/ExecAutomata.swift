import PortcullisRegex

extension ImagePlan {
    /// The exec path DFAs: one when every exec pattern fits in one under `stateLimit`
    /// (the usual case), else up to PC_EXEC_DFA_MAX, each within it. A rule's
    /// patterns stay together, and with each rule go its policy's `allow` rules
    /// without conditions, which carve that policy's rules out of the accept lists
    /// where they match (`carvedOut`): each DFA holding a rule can carve it. An error
    /// names the rule of a pattern over the cap on its own, or the first rule left
    /// over once every DFA is full.
    func execAutomata(stateLimit: Int, cache: PatternCache?) throws(CompileError) -> [DFA] {
        do {
            return try DFACompiler.compileAutomata(
                execPatterns, stateLimit: stateLimit, automatonLimit: ABI.execDFAMax, companions: carvingAllows,
                cache: cache)
        } catch let error as DFACompileError {
            throw CompileError(rule: rules[error.patternID].rule, message: error.message)
        } catch let error as PatternSyntaxError {
            throw CompileError(rule: rules[error.patternID].rule, message: "\(error)")
        } catch {
            throw CompileError(rule: rules[execPatterns[0].id].rule, message: "\(error)")
        }
    }

    /// Per exec rule with a path, the exec `allow` rules without conditions of its
    /// policy (when it has any): they must share its DFA.
    var carvingAllows: [Int: [Int]] {
        var allows: [String: [Int]] = [:]
        for (id, _) in execPatterns where rules[id].action == .allow && execConditions[id] == nil {
            if allows[rules[id].policy]?.last != id { allows[rules[id].policy, default: []].append(id) }
        }
        guard !allows.isEmpty else { return [:] }
        var companions: [Int: [Int]] = [:]
        for (id, _) in execPatterns {
            guard let carving = allows[rules[id].policy] else { continue }
            companions[id] = carving
        }
        return companions
    }
}
