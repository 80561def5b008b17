import Glibc
import PortcullisPolicy
import PortcullisRegex

/// The kernel matches the canonical path of the file being executed, so a rule
/// naming a symlink (`/usr/bin/kubectl` → `/usr/lib/google-cloud-sdk/bin/kubectl`)
/// would never match. Each literal exec path is resolved when a generation is
/// compiled, and the canonical path is added to the rule.
/// Every literal path is resolved once per compile, on every processor (the
/// daemon resolves thousands at every change), and nothing is kept: a symlink
/// changed since the last compile is followed where it now points.
public enum SymlinkResolution {
    public static func resolve(_ policies: [Policy]) -> [Policy] {
        var literals: Set<String> = []
        for policy in policies {
            for rule in policy.rules {
                if case .exec(let paths, _, _) = rule.operation { literals.formUnion(paths.compactMap(\.literalPath)) }
                literals.formUnion(rule.subject.executables.compactMap(\.literalPath))
            }
        }
        let paths = Array(literals)
        let canonical = Dictionary(
            uniqueKeysWithValues: zip(paths, paths.concurrentMap(chunk: 64) { canonicalPath($0) }).compactMap { path, target in
                target.map { (path, $0) }
            })
        return policies.map { policy in
            var policy = policy
            policy.rules = policy.rules.map { resolve($0, canonical: canonical) }
            return policy
        }
    }

    static func resolve(_ rule: Rule, canonical: [String: String]) -> Rule {
        var rule = rule
        if case .exec(let paths, let args, let content) = rule.operation {
            rule.operation = .exec(paths: resolve(paths, canonical: canonical), args: args, content: content)
        }
        rule.subject.executables = resolve(rule.subject.executables, canonical: canonical)
        return rule
    }

    /// `paths`, each literal one followed by its canonical path when that differs.
    static func resolve(_ paths: [PathPattern]) -> [PathPattern] {
        let literals = paths.compactMap(\.literalPath)
        let canonical = literals.compactMap { path in canonicalPath(path).map { (path, $0) } }
        return resolve(paths, canonical: Dictionary(canonical, uniquingKeysWith: { first, _ in first }))
    }

    /// The same, with the canonical path of each literal path that has one.
    static func resolve(_ paths: [PathPattern], canonical: [String: String]) -> [PathPattern] {
        var resolved = paths
        for path in paths {
            guard let literal = path.literalPath, let canonical = canonical[literal],
                canonical != literal, !resolved.contains(.exact(canonical))
            else { continue }
            resolved.append(.exact(canonical))
        }
        return resolved
    }

    static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
