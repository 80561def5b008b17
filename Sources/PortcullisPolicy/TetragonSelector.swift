/// One selector of a Tetragon LSM hook (or of a kprobe read as one) → one rule:
/// - `matchBinaries` `In` names the executables of the subject, `NotIn` its exceptions;
/// - `matchArgs` on the hook's arguments (`Equal`, `Prefix`, `Postfix`) become the
///   operation's conditions;
/// - `matchActions` decide the action (TetragonActions.swift); a selector without actions
///   audits, as Tetragon posts an event by default.
extension TetragonFormat {
    /// `declared` holds the type `args` gives each declared argument, by index.
    static func selector(_ field: Field, at site: HookSite, declared: [Int: String]) -> Rule? {
        guard
            let s = fields(
                field, supported: ["matchBinaries", "matchArgs", "matchActions"], accepted: ["label"],
                tetragon: [
                    "matchPIDs", "matchData", "matchReturnArgs", "matchReturnActions", "matchParentBinaries",
                    "matchNamespaces", "matchNamespaceChanges", "matchCapabilities",
                    "matchCapabilityChanges", "matchWorkloads", "macros",
                ])
        else { return nil }
        let subject = s["matchBinaries"].map(binaries) ?? Subject.everyone
        let match = s["matchArgs"].map { arguments($0, at: site, declared: declared) } ?? ArgumentMatch()
        let action = s["matchActions"].map { actions($0, at: site) } ?? Action.audit
        guard let subject, let match, let action else { return nil }
        return Rule(
            operation: site.hook.operation(match), subject: subject, action: action, source: field.location)
    }

    enum BinaryOperator: String, CaseIterable { case In, NotIn }

    /// At most one `In` (its paths are the executables) and any number of `NotIn` (their
    /// paths, together, are one exception).
    static func binaries(_ field: Field) -> Subject? {
        guard let items = field.sequence() else { return nil }
        var subject = Subject()
        var excluded: [PathPattern] = []
        var hasIn = false
        var failed = false
        for item in items {
            guard let b = fields(item, supported: ["operator", "values"], tetragon: ["followChildren"]),
                let op = required(b, "operator", in: item)?.oneOf(BinaryOperator.self),
                let values = required(b, "values", in: item).flatMap(paths)
            else {
                failed = true
                continue
            }
            switch op {
            case .In:
                if hasIn {
                    item.error("only one 'In' per selector; put every binary in its 'values'")
                    failed = true
                }
                hasIn = true
                subject.executables = values.map(PathPattern.exact)
            case .NotIn:
                excluded += values.map(PathPattern.exact)
            }
        }
        if !excluded.isEmpty { subject.except = [Subject(executables: excluded)] }
        return failed ? nil : subject
    }

    enum ArgumentOperator: String, CaseIterable { case Equal, Prefix, Postfix }

    /// Each entry names a declared argument the hook can match on, once per selector.
    static func arguments(_ field: Field, at site: HookSite, declared: [Int: String]) -> ArgumentMatch? {
        guard let items = field.sequence() else { return nil }
        let hook = site.hook
        var match = ArgumentMatch()
        var matched: Set<Int> = []
        var failed = false
        for item in items {
            guard let a = fields(item, supported: ["index", "operator", "values"], tetragon: ["args"]),
                let indexField = required(a, "index", in: item),
                let index = indexField.integer(in: 0...(hook.parameters.count - 1)),
                let opField = required(a, "operator", in: item),
                let op = opField.oneOf(ArgumentOperator.self),
                let valuesField = required(a, "values", in: item)
            else {
                failed = true
                continue
            }
            let parameter = hook.parameters[index]
            guard let role = parameter.role, let type = parameter.type else {
                let matchable = hook.parameters.indices.filter { hook.parameters[$0].role != nil }
                indexField.error(
                    "matching on argument \(index) of \(site.name) ('\(parameter.declaration)') is not "
                        + "supported; match on argument "
                        + matchable.map(String.init).joined(separator: " or "))
                failed = true
                continue
            }
            guard let declaredType = declared[index] else {
                indexField.error(
                    "argument \(index) is not declared in 'args'; add '{ index: \(index), type: \(type) }'")
                failed = true
                continue
            }
            guard declaredType == type else {
                indexField.error(
                    "argument \(index) is declared as '\(declaredType)', which Tetragon shows in its events "
                        + "but does not filter on; declare it as '{ index: \(index), type: \(type) }' to match on it")
                failed = true
                continue
            }
            guard matched.insert(index).inserted else {
                item.error(
                    "argument \(index) is already matched in this selector; "
                        + "list the alternatives in one 'values'")
                failed = true
                continue
            }
            if role == .mountFSType || role == .capability, op != .Equal {
                opField.error("only 'Equal' applies to argument \(index) ('\(parameter.declaration)')")
                failed = true
                continue
            }
            if !apply(op, valuesField, role: role, to: &match) { failed = true }
        }
        return failed ? nil : match
    }

    /// Adds the values of one `matchArgs` entry to `match`; false when one is not valid.
    /// (A filesystem type and a capability are compared with `Equal` only.)
    static func apply(
        _ op: ArgumentOperator, _ values: Field, role: LSMHook.Role, to match: inout ArgumentMatch
    ) -> Bool {
        switch role {
        case .execPath:
            guard let patterns = patterns(op, values) else { return false }
            match.execPaths = patterns
        case .mountSource:
            guard let patterns = patterns(op, values) else { return false }
            match.mount.sources = patterns
        case .mountTarget:
            guard let patterns = patterns(op, values) else { return false }
            match.mount.targets = patterns
        case .mountFSType:
            guard let types = nonEmpty(values).flatMap({ Field.values($0) { $0.fsType() } }) else { return false }
            match.mount.fsTypes = types
        case .capability:
            guard let caps = nonEmpty(values).flatMap({ Field.values($0, capability) }) else { return false }
            match.capabilities = caps
        }
        return true
    }

    /// `Equal` is the path, `Prefix` its beginning, `Postfix` its end (`escaped$`).
    static func patterns(_ op: ArgumentOperator, _ values: Field) -> [PathPattern]? {
        guard let values = nonEmpty(values) else { return nil }
        switch op {
        case .Equal: return Field.values(values) { $0.absolutePath().map(PathPattern.exact) }
        case .Prefix: return Field.values(values) { $0.absolutePath().map(PathPattern.prefix) }
        case .Postfix: return Field.values(values) { $0.suffix().map { .regex(RegexCheck.escape($0) + "$") } }
        }
    }

    /// Argument 2 of `capable`, compared as Tetragon compares an `int`: as a number, read
    /// as Go's `strconv.ParseInt(value, 0, 32)` reads it (`12`, `0xc`, `014` are all 12).
    static func capability(_ field: Field) -> Capability? {
        guard let text = field.string() else { return nil }
        if let number = TetragonInteger.parse(text), Capability.validNames.indices.contains(number) {
            return Capability(name: Capability.validNames[number])
        }
        let hint = Capability(name: text).map { "; \($0.name) is \($0.number)" } ?? ""
        field.error("'\(text)' is not a capability number from 0 to \(Capability.validNames.count - 1)\(hint)")
        return nil
    }

    static func required(_ fields: [String: Field], _ key: String, in parent: Field) -> Field? {
        guard let field = fields[key] else {
            parent.error("'\(key)' is missing")
            return nil
        }
        return field
    }

    static func nonEmpty(_ values: Field) -> Field? {
        guard let items = values.sequence() else { return nil }
        guard !items.isEmpty else {
            values.error("'values' is empty; a filter without values would match nothing")
            return nil
        }
        return values
    }

    static func paths(_ values: Field) -> [String]? {
        nonEmpty(values).flatMap { Field.values($0) { $0.absolutePath() } }
    }
}

extension Field {
    /// The end of a path for `Postfix`: an empty one would match every path.
    fileprivate func suffix() -> String? {
        guard let text = string() else { return nil }
        guard !text.isEmpty else {
            error("an empty 'Postfix' value would match every path")
            return nil
        }
        return text
    }
}
