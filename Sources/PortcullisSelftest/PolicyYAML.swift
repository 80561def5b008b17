import PortcullisPolicy

/// Policies as native YAML documents, for failure reports: a policy set that made
/// the kernel and the reference disagree can be dropped into a policy directory
/// as it is. Covers what PolicyGenerator writes: exec rules on paths with argument
/// conditions, and subjects with path, argument, uid, unit and cgroup conditions.
public enum PolicyYAML {
    public static func render(_ policies: [Policy]) -> String {
        policies.map(render).joined(separator: "---\n")
    }

    static func render(_ policy: Policy) -> String {
        var out = """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: \(quote(policy.name)) }
            spec:
              mode: \(policy.mode.rawValue)
              rules:

            """
        for rule in policy.rules {
            switch rule.operation {
            case .exec(let paths, let args, _):
                var fields = paths.fields.map { (key: $0.key, value: list($0.values)) }
                if let args { fields.append((key: "argsRegex", value: quote(args))) }
                out += "    - exec: \(flow(fields))\n"
            case .capability(let capabilities):
                let names = "[\(capabilities.map(\.name).joined(separator: ", "))]"
                out += rule.subject.initialUserNamespaceOnly
                    ? "    - capability: { names: \(names), userNamespace: initial }\n" : "    - capability: \(names)\n"
            case .mount:
                out += "    - mount: {}  # mount rules are not rendered\n"
            }
            let subject = fields(of: rule.subject)
            if !subject.isEmpty { out += "      subject: \(flow(subject))\n" }
            out += "      action: \(rule.action.rawValue)\n"
        }
        return out
    }

    /// A subject's conditions as flow-mapping fields, its exceptions included.
    static func fields(of subject: Subject) -> [(key: String, value: String)] {
        var fields = subject.executables.fields.map { (key: $0.key, value: list($0.values)) }
        if let args = subject.args { fields.append((key: "argsRegex", value: quote(args))) }
        if !subject.units.isEmpty { fields.append((key: "unit", value: list(subject.units))) }
        fields += cgroupFields(subject.cgroups)
        if !subject.uids.isEmpty {
            fields.append((key: "uid", value: "[" + subject.uids.map(String.init).joined(separator: ", ") + "]"))
        }
        if !subject.except.isEmpty {
            fields.append((key: "except", value: "[" + subject.except.map { flow(Self.fields(of: $0)) }.joined(separator: ", ") + "]"))
        }
        return fields
    }

    /// `cgroup` (a subtree: the exact path and the prefix below it, or `/`) and
    /// `cgroupRegex` entries.
    static func cgroupFields(_ patterns: [PathPattern]) -> [(key: String, value: String)] {
        var subtrees: [String] = []
        var regexes: [String] = []
        var rest = patterns[...]
        while let first = rest.popFirst() {
            switch first {
            case .exact(let path):
                subtrees.append(path)
                if rest.first == .prefix(path + "/") { rest.removeFirst() }
            case .prefix(let path): subtrees.append(path == "/" ? "/" : path)
            case .regex(let regex): regexes.append(regex)
            }
        }
        return [("cgroup", subtrees), ("cgroupRegex", regexes)].filter { !$0.1.isEmpty }.map {
            (key: $0.0, value: list($0.1))
        }
    }

    /// A flow mapping of rendered values.
    static func flow(_ fields: [(key: String, value: String)]) -> String {
        "{ " + fields.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + " }"
    }

    static func list(_ values: [String]) -> String { "[" + values.map(quote).joined(separator: ", ") + "]" }

    /// A YAML double-quoted scalar.
    static func quote(_ text: String) -> String {
        var out = "\""
        for ch in text {
            if ch == "\\" || ch == "\"" { out.append("\\") }
            out.append(ch)
        }
        return out + "\""
    }
}

extension [PathPattern] {
    /// The native keys for these patterns: path, pathPrefix, pathRegex; empty ones left out.
    var fields: [(key: String, values: [String])] {
        var exact: [String] = []
        var prefixes: [String] = []
        var regexes: [String] = []
        for pattern in self {
            switch pattern {
            case .exact(let p): exact.append(p)
            case .prefix(let p): prefixes.append(p)
            case .regex(let r): regexes.append(r)
            }
        }
        return [("path", exact), ("pathPrefix", prefixes), ("pathRegex", regexes)].filter { !$0.1.isEmpty }
    }
}
