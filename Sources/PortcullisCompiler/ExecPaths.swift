import PortcullisPolicy

/// What the exec DFA is built from, for those who match paths as the kernel
/// will without compiling a generation (PortcullisGeneration's CriticalRules).
extension PolicyCompiler {
    /// The path patterns an exec rule's DFA entries are built from: its own, or
    /// every path and the anonymous program when it has no path condition and
    /// no content condition; none for a rule only about content (`sha256:` and
    /// no path), which the content table finds instead.
    public static func execPaths(_ paths: [PathPattern], content: ExecContent) -> [PathPattern] {
        paths.isEmpty && !content.digests.isEmpty ? [] : ImagePlan.execPaths(paths)
    }

    /// The regular expression `path` is in the exec DFA: anchored for an exact
    /// path and a prefix, as written for a regex.
    public static func execRegex(_ path: PathPattern) -> String { PathRegex.pattern(for: path) }
}
