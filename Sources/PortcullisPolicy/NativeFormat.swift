/// portcullis' own format (docs/policy.md):
///
///     apiVersion: portcullis/v1alpha1
///     kind: Policy
///     metadata: { name: no-kubectl }
///     spec:
///       mode: enforce            # or audit
///       rules:
///         - exec: { path: /usr/bin/kubectl }
///           action: deny
///         - capability: [CAP_NET_ADMIN]
///           subject: { pathRegex: "^/usr/sbin/ip$" }
///           action: deny
enum NativeFormat {
    static let kind = "Policy"
    static let apiVersions = ["portcullis/v1alpha1"]

    static func read(_ top: [String: Field]) -> Policy? {
        guard let metadata = top["metadata"], let spec = top["spec"] else { return nil }
        guard let name = Metadata.name(metadata) else { return nil }
        guard let s = spec.mapping(allowed: ["description", "mode", "rules"]) else { return nil }
        let mode = s["mode"].map { $0.oneOf(Policy.Mode.self) } ?? .enforce
        guard let mode else { return nil }
        guard let rulesField = s["rules"] else {
            spec.error("'rules' is missing")
            return nil
        }
        guard let items = rulesField.sequence() else { return nil }
        let rules = items.map(rule)
        guard rules.allSatisfy({ $0 != nil }) else { return nil }
        return Policy(name: name, source: spec.location, mode: mode, rules: rules.compactMap { $0 })
    }

    static func rule(_ field: Field) -> Rule? {
        guard let r = field.mapping(allowed: ["exec", "capability", "subject", "action"]) else {
            return nil
        }
        guard let actionField = r["action"] else {
            field.error("'action' is missing; expected 'deny', 'audit' or 'allow'")
            return nil
        }
        guard let action = actionField.oneOf(Action.self) else { return nil }
        let subject = r["subject"].map(Self.subject) ?? Subject.everyone
        guard let subject else { return nil }

        let operations = ["exec", "capability"].filter { r[$0] != nil }
        guard operations.count == 1 else {
            field.error("a rule needs exactly one operation: 'exec' or 'capability'")
            return nil
        }
        let operation: Operation?
        if let exec = r["exec"] {
            operation = execOperation(exec)
        } else {
            operation = r["capability"].flatMap(CiliumFormat.capabilities).map { .capability($0) }
        }
        guard let operation else { return nil }
        return Rule(operation: operation, subject: subject, action: action, source: field.location)
    }

    static func execOperation(_ field: Field) -> Operation? {
        guard let e = field.mapping(allowed: ["path", "pathPrefix", "pathRegex", "argsRegex"]) else {
            return nil
        }
        guard let paths = pathPatterns(e, in: field) else { return nil }
        let args = e["argsRegex"].map { $0.regex() }
        if let args, args == nil { return nil }
        guard !paths.isEmpty || args != nil else {
            field.error("'exec' needs 'path', 'pathPrefix', 'pathRegex' or 'argsRegex'")
            return nil
        }
        return .exec(paths: paths, args: args ?? nil)
    }

    static func subject(_ field: Field) -> Subject? {
        guard let s = field.mapping(allowed: ["path", "pathPrefix", "pathRegex", "argsRegex"]) else {
            return nil
        }
        guard let paths = pathPatterns(s, in: field) else { return nil }
        let args = s["argsRegex"].map { $0.regex() }
        if let args, args == nil { return nil }
        return Subject(executables: paths, args: args ?? nil)
    }

    /// `path` (exact), `pathPrefix` and `pathRegex`, each one string or a list; any may match.
    static func pathPatterns(_ fields: [String: Field], in parent: Field) -> [PathPattern]? {
        var out: [PathPattern] = []
        for key in ["path", "pathPrefix", "pathRegex"] {
            guard let items = fields[key].map({ $0.sequence() }) else { continue }
            guard let items else { return nil }
            for item in items {
                if key == "pathRegex" {
                    guard let regex = item.regex() else { return nil }
                    out.append(.regex(regex))
                    continue
                }
                guard let path = item.string() else { return nil }
                guard path.hasPrefix("/") else {
                    item.error("'\(path)' is not an absolute path")
                    return nil
                }
                out.append(key == "path" ? .exact(path) : .prefix(path))
            }
        }
        return out
    }
}
