import Glibc
import PortcullisPolicy

/// The kernel matches the canonical path of the file being executed, so a rule
/// naming a symlink (`/usr/bin/kubectl` → `/usr/lib/google-cloud-sdk/bin/kubectl`)
/// would never match. Each literal exec path is resolved when a generation is
/// compiled, and the canonical path is added to the rule.
public enum SymlinkResolution {
    public static func resolve(_ policies: [Policy]) -> [Policy] {
        policies.map { policy in
            var policy = policy
            policy.rules = policy.rules.map(resolve)
            return policy
        }
    }

    static func resolve(_ rule: Rule) -> Rule {
        var rule = rule
        if case .exec(let paths, let args, let content) = rule.operation {
            rule.operation = .exec(paths: resolve(paths), args: args, content: content)
        }
        rule.subject.executables = resolve(rule.subject.executables)
        return rule
    }

    static func resolve(_ paths: [PathPattern]) -> [PathPattern] {
        var resolved = paths
        for path in paths {
            guard let literal = path.literalPath, let canonical = canonicalPath(literal),
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
