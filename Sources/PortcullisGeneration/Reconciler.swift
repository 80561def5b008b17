import PortcullisPolicy

/// Decides which version of each file goes into the next generation: every good
/// file's current content, and the last good content of each file now broken,
/// so a typo never removes enforcement that was in force.
public struct Reconciler: Sendable {
    /// The last version of each file that had no errors, by path.
    public private(set) var lastGood: [String: PolicyFile] = [:]

    public init() {}

    public struct Outcome: Sendable {
        /// The files the generation is made of, in lexical order.
        public var files: [PolicyFile]
        /// Broken files whose last good version is used instead.
        public var keptLastGood: [String]
        /// Broken files with no good version: not enforced at all.
        public var refused: [String]
        /// What is wrong with the current files, including clashes between them.
        public var diagnostics: [Diagnostic]
    }

    public mutating func reconcile(_ current: [PolicyFile]) -> Outcome {
        var outcome = Outcome(files: [], keptLastGood: [], refused: [], diagnostics: [])
        var seen: Set<String> = []
        var names: [String: String] = [:]  // policy name → file defining it
        for var file in current {
            seen.insert(file.path)
            if file.isUsable, let clash = duplicateName(in: file, names) {
                file.diagnostics.append(clash)
            }
            outcome.diagnostics += file.diagnostics
            // A file that now holds no policy at all is more likely caught halfway
            // through a write than emptied on purpose (deleting it removes its
            // rules): like a broken file, it keeps its last good version.
            let emptied = file.policies.isEmpty && lastGood[file.path] != nil
            if file.isUsable && !emptied {
                lastGood[file.path] = file
            } else if let good = lastGood[file.path] {
                file = good
                outcome.keptLastGood.append(file.path)
            } else {
                outcome.refused.append(file.path)
                continue
            }
            for policy in file.policies { names[policy.name] = file.path }
            outcome.files.append(file)
        }
        lastGood = lastGood.filter { seen.contains($0.key) }
        return outcome
    }

    /// A policy name already defined by an earlier file is an error naming both files.
    func duplicateName(in file: PolicyFile, _ names: [String: String]) -> Diagnostic? {
        for policy in file.policies {
            guard let other = names[policy.name] else { continue }
            return Diagnostic(
                .error, file: file.path, line: policy.source.line, column: policy.source.column,
                "policy '\(policy.name)' is already defined in \(other)")
        }
        return nil
    }
}
