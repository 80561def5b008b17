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
/// Each selector is one rule and the values of one filter are alternatives. Every other
/// Tetragon feature is an error naming it, so a policy never means less here than it says.
enum TetragonFormat {
    static let kind = "TracingPolicy"
    /// Read only to say why it cannot be used.
    static let namespacedKind = "TracingPolicyNamespaced"
    static let apiVersions = ["cilium.io/v1alpha1"]

    static func read(_ top: [String: Field]) -> Policy? {
        guard let metadata = top["metadata"], let spec = top["spec"] else { return nil }
        let name = Metadata.name(metadata)
        let s = fields(
            spec, supported: ["lsmhooks", "options"],
            tetragon: [
                "kprobes", "tracepoints", "uprobes", "usdts", "fentries", "loader", "lists", "enforcers",
                "selectorsMacros", "podSelector", "containerSelector", "hostSelector", "nodeSelector",
            ])
        guard let s else { return nil }
        let mode = s["options"].map(options) ?? .enforce
        guard let mode else { return nil }
        guard let hooksField = s["lsmhooks"] else {
            spec.error("'lsmhooks' is missing; portcullis reads the LSM hooks of a TracingPolicy")
            return nil
        }
        guard let hooks = hooksField.sequence() else { return nil }
        let rules = hooks.map(hook)
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

    /// One entry of `lsmhooks`: one rule per selector; without selectors, every call is audited.
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
        guard let declared = Field.values(h["args"], { argument($0, of: hook) }) else { return nil }
        var indexes: Set<Int> = []
        for (index, field) in declared {
            guard !indexes.contains(index) else {
                field.error("argument \(index) is declared twice")
                return nil
            }
            indexes.insert(index)
        }
        let selectors = h["selectors"].map { $0.sequence() } ?? []
        guard let selectors else { return nil }
        if selectors.isEmpty {
            let operation = hook.operation(ArgumentMatch())
            return [Rule(operation: operation, subject: .everyone, action: .audit, source: field.location)]
        }
        let rules = selectors.map { selector($0, of: hook, declared: indexes) }
        guard rules.allSatisfy({ $0 != nil }) else { return nil }
        return rules.compactMap { $0 }
    }

    /// One entry of `args`: its index, and a type that reads that parameter of the hook.
    static func argument(_ field: Field, of hook: LSMHook) -> (index: Int, field: Field)? {
        guard
            let a = fields(
                field, supported: ["index", "type"], accepted: ["label"],
                tetragon: ["resolve", "sizeArgIndex", "returnCopy", "maxData", "source", "btfType", "btfTypeModule"])
        else { return nil }
        guard let indexField = a["index"], let typeField = a["type"] else {
            field.error("an argument needs 'index' and 'type'")
            return nil
        }
        guard let index = indexField.integer(in: 0...(hook.parameters.count - 1)),
            let type = typeField.string()
        else { return nil }
        let parameter = hook.parameters[index]
        guard let expected = parameter.type else {
            indexField.error(
                "argument \(index) of \(hook.rawValue) ('\(parameter.declaration)') cannot be read by portcullis")
            return nil
        }
        guard type == expected else {
            typeField.error(
                "argument \(index) of \(hook.rawValue) is '\(parameter.declaration)'; its type is '\(expected)'")
            return nil
        }
        return (index, indexField)
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
