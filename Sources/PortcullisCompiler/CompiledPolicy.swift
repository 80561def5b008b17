import PortcullisPolicy

/// A rule as the kernel knows it: its index in the image's rule table, and
/// where it came from, so a decision can name the rule that made it.
public struct CompiledRule: Sendable, Hashable {
    public var index: Int
    public var policy: String
    public var rule: Rule
    /// The action in force: a deny in an audit-mode policy is an audit.
    public var action: Action
}

/// The result of compiling a set of policies.
public struct CompiledPolicy: Sendable {
    public var image: PolicyImage
    public var rules: [CompiledRule]
    /// Warnings about rules this build cannot enforce in the kernel yet.
    public var diagnostics: [Diagnostic]
    /// States of the exec path DFAs, all of them.
    public var execStates: Int
    /// How many DFAs the exec path patterns were split into (1 when they fit in one, 0 with none).
    public var execAutomata: Int = 0
    /// Distinct subjects (who acts) of the capability rules.
    public var subjects: Int
    /// What the tasks' views of the image depend on (the loader's subject epoch).
    public var subjectViews: SubjectViews = .none
}

public struct CompileError: Error, Sendable, CustomStringConvertible {
    public var rule: Rule
    public var message: String
    public var description: String { "\(rule.source): error: \(message)" }
}
