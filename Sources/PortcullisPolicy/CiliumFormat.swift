/// The seed format: `kind: CiliumNetworkPolicy` with a `spec.runtime` section,
/// read as shared/seed/README.md describes:
/// - `endpointSelector: {}` is every process on the host; `matchLabels` with one of
///   `unit`, `slice` or `cgroup` scopes every rule of the policy to that unit, slice or cgroup;
/// - inside one requirement every clause must hold; entries of one clause are alternatives;
/// - with `matchCapabilities` a requirement is about using those capabilities by the
///   processes `matchProcesses` names (everyone when absent); with only `matchProcesses`
///   it is about executing those programs;
/// - network sections are not enforced, and saying so is a warning.
enum CiliumFormat {
    static let kind = "CiliumNetworkPolicy"
    static let apiVersions = ["cilium.io/v1alpha1", "cilium.io/v2"]
    static let networkKeys = ["policyTypes", "egress", "ingress", "egressDeny", "ingressDeny"]

    static func read(_ top: [String: Field]) -> Policy? {
        guard let metadata = top["metadata"], let spec = top["spec"] else { return nil }
        guard let name = Metadata.name(metadata) else { return nil }
        guard
            let s = spec.mapping(
                allowed: ["description", "endpointSelector", "runtime"] + networkKeys)
        else { return nil }
        for key in networkKeys {
            guard let section = s[key] else { continue }
            section.keyWarning(
                "'\(key)' is network policy, which portcullis does not enforce; it is ignored")
        }
        let scope = s["endpointSelector"].map(Self.scope) ?? Subject.everyone
        guard let runtime = s["runtime"] else {
            spec.error("a CiliumNetworkPolicy needs 'runtime.requirements' for portcullis to enforce")
            return nil
        }
        guard let r = runtime.mapping(allowed: ["requirements"]) else { return nil }
        guard let requirementsField = r["requirements"] else {
            runtime.error("'requirements' is missing")
            return nil
        }
        guard let requirements = requirementsField.sequence() else { return nil }
        let rules = requirements.compactMap(requirement).flatMap { $0 }
        guard let scope else { return nil }
        return Policy(
            name: name, source: spec.location, mode: .enforce,
            rules: rules.map { scoped($0, to: scope) })
    }

    static let scopeLabels = ["unit", "slice", "cgroup"]

    /// The processes an `endpointSelector` names: `{}` is every process, and one label among
    /// `unit`, `slice` and `cgroup` is a systemd unit, a slice or a cgroup and what runs below it.
    static func scope(_ selector: Field) -> Subject? {
        guard let s = selector.mapping(allowed: ["matchLabels", "matchExpressions"]) else { return nil }
        let alternatives =
            "on a host, scope with one of \(Field.list(scopeLabels)) in 'matchLabels', "
            + "or write '{}' for every process"
        if let expressions = s["matchExpressions"] {
            expressions.keyError("'matchExpressions' selects Kubernetes pods; \(alternatives)")
            return nil
        }
        guard let labelsField = s["matchLabels"] else { return .everyone }
        guard let labels = labelsField.entries() else { return nil }
        var scope = Subject()
        var scopeKey: String?
        var failed = false
        for (key, label) in labels {
            guard scopeLabels.contains(key) else {
                // Said where `matchLabels` is written, naming the label.
                label.log.error(
                    labelsField.keyMark ?? labelsField.mark, label.path,
                    "label '\(key)' selects Kubernetes pods, and a host has none; \(alternatives)")
                failed = true
                continue
            }
            if let first = scopeKey {
                label.keyError(
                    "'\(first)' already scopes this policy; use one of \(Field.list(scopeLabels))")
                failed = true
                continue
            }
            scopeKey = key
            let read: Subject?
            switch key {
            case "unit": read = label.unitName().map { Subject(units: [$0]) }
            case "slice": read = label.unitName(suffixes: [".slice"]).map { Subject(units: [$0]) }
            default: read = label.cgroupSubtree().map { Subject(cgroups: $0) }
            }
            if let read { scope = read } else { failed = true }
        }
        return failed ? nil : scope
    }

    /// The rule, for the processes of `scope` only.
    static func scoped(_ rule: Rule, to scope: Subject) -> Rule {
        var rule = rule
        rule.subject.units += scope.units
        rule.subject.cgroups += scope.cgroups
        return rule
    }

    static func requirement(_ field: Field) -> [Rule]? {
        guard
            let r = field.mapping(allowed: ["matchProcesses", "matchCapabilities", "matchActions"])
        else { return nil }
        guard let actionsField = r["matchActions"] else {
            field.error("'matchActions' is missing; say what to do, e.g. '- deny'")
            return nil
        }
        guard let action = Self.action(actionsField) else { return nil }
        let processes = r["matchProcesses"].map(Self.processes) ?? []
        guard let processes else { return nil }

        if let capsField = r["matchCapabilities"] {
            guard let caps = capabilities(capsField) else { return nil }
            let subjects = processes.isEmpty ? [Subject.everyone] : processes.map(\.subject)
            return subjects.map {
                Rule(operation: .capability(caps), subject: $0, action: action, source: field.location)
            }
        }
        guard !processes.isEmpty else {
            field.error("a requirement needs 'matchProcesses' or 'matchCapabilities'")
            return nil
        }
        return processes.map {
            Rule(
                operation: .exec(paths: $0.subject.executables, args: $0.subject.args),
                subject: .everyone, action: action, source: $0.location)
        }
    }

    struct Process {
        var subject: Subject
        var location: SourceLocation
    }

    static func processes(_ field: Field) -> [Process]? {
        guard let items = field.sequence() else { return nil }
        var out: [Process] = []
        for item in items {
            guard let p = item.mapping(allowed: ["pathRegex", "argsRegex"]) else { return nil }
            guard p["pathRegex"] != nil || p["argsRegex"] != nil else {
                item.error("a process needs 'pathRegex' or 'argsRegex'")
                return nil
            }
            var subject = Subject()
            if let f = p["pathRegex"] {
                guard let regex = f.regex() else { return nil }
                subject.executables = [.regex(regex)]
            }
            if let f = p["argsRegex"] {
                guard let regex = f.regex() else { return nil }
                subject.args = regex
            }
            out.append(Process(subject: subject, location: item.location))
        }
        return out
    }

    static func capabilities(_ field: Field) -> [Capability]? {
        guard let items = field.sequence(), !items.isEmpty else {
            field.error("expected a list of capabilities such as 'CAP_NET_ADMIN'")
            return nil
        }
        var caps: [Capability] = []
        for item in items {
            guard let name = item.string() else { return nil }
            guard let cap = Capability(name: name) else {
                item.error("unknown capability '\(name)'; expected a name such as 'CAP_NET_ADMIN'")
                return nil
            }
            caps.append(cap)
        }
        return caps
    }

    /// Exactly one action.
    static func action(_ field: Field) -> Action? {
        guard let items = field.sequence() else { return nil }
        guard items.count == 1, let text = items[0].string() else {
            field.error("expected exactly one action: 'deny', 'audit' or 'allow'")
            return nil
        }
        switch text.lowercased() {
        case "deny": return .deny
        case "audit": return .audit
        case "allow": return .allow
        default:
            items[0].error("unknown action '\(text)'; expected 'deny', 'audit' or 'allow'")
            return nil
        }
    }
}
