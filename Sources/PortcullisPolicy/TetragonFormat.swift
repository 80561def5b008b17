/// A subset of Tetragon's `TracingPolicy` (docs/policy.md, "Tetragon TracingPolicy"):
///
///     apiVersion: cilium.io/v1alpha1
///     kind: TracingPolicy
///     metadata: { name: no-tmp-exec }
///     spec:
///       lsmhooks:
///         - hook: bprm_check_security       # or sb_mount, capable
///           args: [{ index: 0, type: linux_binprm }]
///           selectors:
///             - matchArgs: [{ index: 0, operator: Prefix, values: [/tmp/] }]
///               matchBinaries: [{ operator: NotIn, values: [/usr/bin/dpkg] }]
///               matchActions: [{ action: Override, argError: -1 }]
///
/// A kprobe on `security_bprm_check`, `security_sb_mount` or `cap_capable` is read as the
/// matching hook (TetragonKprobes.swift). Each selector is one rule and the values of one
/// filter are alternatives. Every other Tetragon feature is an error naming it, so a policy
/// never means less here than it says.
enum TetragonFormat {
    static let kind = "TracingPolicy"
    /// Read only to say why it cannot be used.
    static let namespacedKind = "TracingPolicyNamespaced"
    static let apiVersions = ["cilium.io/v1alpha1"]

    static func read(_ top: [String: Field]) -> Policy? {
        guard let metadata = top["metadata"], let spec = top["spec"] else { return nil }
        let name = Metadata.name(metadata)
        let s = fields(
            spec, supported: ["lsmhooks", "kprobes", "options"],
            tetragon: [
                "tracepoints", "uprobes", "usdts", "fentries", "loader", "lists", "enforcers",
                "selectorsMacros", "podSelector", "containerSelector", "hostSelector", "nodeSelector",
            ])
        guard let s else { return nil }
        let mode = s["options"].map(options) ?? .enforce
        guard let mode else { return nil }
        guard s["lsmhooks"] != nil || s["kprobes"] != nil else {
            spec.error(
                "'lsmhooks' is missing; portcullis reads the LSM hooks of a TracingPolicy, and its "
                    + "'kprobes' on \(Field.list(KprobeCall.allCases.map(\.rawValue)))")
            return nil
        }
        let hooks = s["lsmhooks"].map { $0.sequence() } ?? []
        let kprobes = s["kprobes"].map { $0.sequence() } ?? []
        guard let hooks, let kprobes else { return nil }
        let rules = hooks.map(hook) + kprobes.map(kprobe)
        guard let name, rules.allSatisfy({ $0 != nil }) else { return nil }
        return Policy(
            name: name, source: spec.location, mode: mode, rules: rules.flatMap { $0 ?? [] })
    }

    /// `options`, a list of `{name, value}`: `policy-mode` `monitor` is audit mode,
    /// `enforce` enforce mode; Tetragon's other options tune Tetragon itself and are
    /// ignored with a warning. nil (with an error) when malformed.
    static func options(_ field: Field) -> Policy.Mode? {
        guard let items = field.sequence() else { return nil }
        var mode = Policy.Mode.enforce
        for item in items {
            guard let o = fields(item, supported: ["name", "value"]),
                let name = required(o, "name", in: item)?.string()
            else { return nil }
            guard name == "policy-mode" else {
                item.warning("Tetragon's option '\(name)' tunes Tetragon itself; portcullis ignores it")
                continue
            }
            guard let value = required(o, "value", in: item)?.oneOf(PolicyMode.self) else { return nil }
            mode = value == .monitor ? .audit : .enforce
        }
        return mode
    }

    enum PolicyMode: String, CaseIterable { case enforce, monitor }

    /// One entry of `lsmhooks`.
    static func hook(_ field: Field) -> [Rule]? {
        guard
            let h = fields(
                field, supported: ["hook", "args", "selectors"], accepted: ["message", "tags"])
        else { return nil }
        guard let hookField = h["hook"] else {
            field.error("'hook' is missing; expected one of \(Field.list(LSMHook.allCases.map(\.rawValue)))")
            return nil
        }
        guard let hook = hookField.oneOf(LSMHook.self) else { return nil }
        return rules(args: h["args"], selectors: h["selectors"], at: HookSite(hook: hook), entry: field)
    }

    /// The rules of one entry of `lsmhooks` or `kprobes`: one per selector; without
    /// selectors, every call is audited.
    static func rules(args: Field?, selectors: Field?, at site: HookSite, entry: Field) -> [Rule]? {
        guard let declared = Field.values(args, { argument($0, at: site) }) else { return nil }
        var types: [Int: String] = [:]
        for (index, type, field) in declared {
            guard types[index] == nil else {
                field.error("argument \(index) is declared twice")
                return nil
            }
            types[index] = type
        }
        let selectors = selectors.map { $0.sequence() } ?? []
        guard let selectors else { return nil }
        if selectors.isEmpty {
            let operation = site.hook.operation(ArgumentMatch())
            return [Rule(operation: operation, subject: .everyone, action: .audit, source: entry.location)]
        }
        let rules = selectors.map { selector($0, at: site, declared: types) }
        guard rules.allSatisfy({ $0 != nil }) else { return nil }
        return rules.compactMap { $0 }
    }

    /// One entry of `args`: its index, and a type Tetragon reads that parameter with.
    static func argument(_ field: Field, at site: HookSite) -> (index: Int, type: String, field: Field)? {
        guard
            let a = fields(
                field, supported: ["index", "type"], accepted: ["label"],
                tetragon: ["resolve", "sizeArgIndex", "returnCopy", "maxData", "source", "btfType", "btfTypeModule"])
        else { return nil }
        guard let indexField = a["index"], let typeField = a["type"] else {
            field.error("an argument needs 'index' and 'type'")
            return nil
        }
        let parameters = site.hook.parameters
        guard let index = indexField.integer(in: 0...(parameters.count - 1)),
            let type = typeField.string()
        else { return nil }
        let parameter = parameters[index]
        let types = parameter.declarableTypes
        guard !types.isEmpty else {
            indexField.error(
                "argument \(index) of \(site.name) ('\(parameter.declaration)') cannot be read by portcullis")
            return nil
        }
        guard types.contains(type) || type == "nop" else {
            let expected = types.map { "'\($0)'" }.joined(separator: " or ")
            typeField.error(
                "argument \(index) of \(site.name) is '\(parameter.declaration)'; its type is \(expected)")
            return nil
        }
        return (index, type, indexField)
    }

    /// The mapping's fields among `supported` and `accepted` (which describe events and
    /// change nothing that is enforced). A Tetragon key portcullis does not support is an
    /// error saying so; any other key is unknown.
    static func fields(
        _ field: Field, supported: [String], accepted: [String] = [], tetragon: [String] = [],
        eventOnly: [String] = []
    ) -> [String: Field]? {
        guard let entries = field.entries(expected: "a mapping with keys \(Field.list(supported))") else {
            return nil
        }
        var fields: [String: Field] = [:]
        for (key, value) in entries {
            if eventOnly.contains(key) {
                value.keyWarning(
                    "Tetragon's '\(key)' only shapes Tetragon's events; portcullis ignores it (its journal entries are its own)")
            } else if tetragon.contains(key) {
                value.keyError(
                    "Tetragon's '\(key)' is not supported by portcullis; supported here: \(Field.list(supported))")
            } else if supported.contains(key) || accepted.contains(key) {
                fields[key] = value
            } else {
                value.keyError("unknown key '\(key)'; valid keys here: \(Field.list(supported + accepted))")
            }
        }
        return fields
    }
}
