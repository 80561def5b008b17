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
///         - mount: { target: /etc, flags: [bind] }
///           subject: { except: [{ unit: systemd-nspawn@web.service }] }
///           action: deny
enum NativeFormat {
    static let kind = "Policy"
    static let apiVersions = ["portcullis/v1alpha1"]
    static let operations = ["exec", "mount", "capability"]

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
        // Mapped, not compactMap'ed: an array of exactly the rules, where
        // compactMap's grows by doubling; the daemon keeps every file's rules.
        return Policy(name: name, source: spec.location, mode: mode, rules: rules.map { $0! })
    }

    static func rule(_ field: Field) -> Rule? {
        guard let r = field.mapping(allowed: operations + ["subject", "action", "denyCriticalFiles"]) else { return nil }
        guard let actionField = r["action"] else {
            field.error("'action' is missing; expected 'deny', 'audit' or 'allow'")
            return nil
        }
        guard let action = actionField.oneOf(Action.self) else { return nil }
        var subject = r["subject"].map { Self.subject($0) } ?? Subject.everyone
        let present = operations.filter { r[$0] != nil }
        guard present.count == 1 else {
            let found = present.isEmpty ? "" : "; found \(Field.list(present))"
            field.error("a rule needs exactly one operation: 'exec', 'mount' or 'capability'\(found)")
            return nil
        }
        let operation: Operation?
        if let exec = r["exec"] {
            operation = execOperation(exec)
        } else if let mount = r["mount"] {
            operation = mountMatch(mount).map { .mount($0) }
        } else if let capability = r["capability"] {
            guard let (caps, initialOnly) = capabilityOperation(capability) else { return nil }
            operation = .capability(caps)
            subject?.initialUserNamespaceOnly = initialOnly
        } else {
            operation = nil
        }
        var denyCriticalFiles = false
        if let acknowledged = r["denyCriticalFiles"] {
            guard let value = acknowledged.bool() else { return nil }
            guard r["exec"] != nil else {
                acknowledged.keyError(
                    "'denyCriticalFiles' is about exec rules (the files they deny at exec and executable mappings)")
                return nil
            }
            denyCriticalFiles = value
        }
        guard let operation, let subject else { return nil }
        return Rule(
            operation: operation, subject: subject, action: action, source: field.location,
            denyCriticalFiles: denyCriticalFiles)
    }

    /// A list of capabilities, or `{ names: [...], userNamespace: any | initial }`: the
    /// capabilities, and whether the rule is limited to the host's initial user namespace.
    static func capabilityOperation(_ field: Field) -> ([Capability], Bool)? {
        guard case .mapping = field.node.kind else { return CiliumFormat.capabilities(field).map { ($0, false) } }
        guard let c = field.mapping(allowed: ["names", "userNamespace"]) else { return nil }
        guard let namesField = c["names"] else {
            field.error("'names' is missing: the capabilities, such as [CAP_NET_ADMIN]")
            return nil
        }
        guard let caps = CiliumFormat.capabilities(namesField) else { return nil }
        guard let scope = c["userNamespace"] else { return (caps, false) }
        guard let value = scope.oneOf(UserNamespaceScope.self) else { return nil }
        return (caps, value == .initial)
    }

    /// Where a capability rule applies: in every user namespace, or only when the
    /// capability is checked against the host's initial one.
    enum UserNamespaceScope: String, CaseIterable { case any, initial }

    static func execOperation(_ field: Field) -> Operation? {
        let keys = ["path", "pathPrefix", "pathRegex", "argsRegex", "anonymous", "sha256", "matchCopies"]
        guard let e = field.mapping(allowed: keys) else { return nil }
        guard var paths = patterns("path", in: e) else { return nil }
        let args = e["argsRegex"].map { $0.regex() }
        if let args, args == nil { return nil }
        if let anonymous = e["anonymous"] {
            guard let value = anonymous.node.bool else {
                anonymous.error("expected true or false")
                return nil
            }
            if value {
                // A program with no path on the host: its path is matched as the empty string.
                paths.append(.anonymous)
            }
        }
        guard let digests = Field.values(e["sha256"], { $0.contentDigest() }) else { return nil }
        var content = ExecContent(digests: digests)
        if let copies = e["matchCopies"] {
            guard let value = copies.node.bool else {
                copies.error("expected true or false")
                return nil
            }
            content.matchCopies = value
        }
        guard !paths.isEmpty || args != nil || !digests.isEmpty else {
            field.error("'exec' needs 'path', 'pathPrefix', 'pathRegex', 'anonymous: true', 'sha256' or 'argsRegex'")
            return nil
        }
        if !digests.isEmpty, let argsField = e["argsRegex"] {
            argsField.error("'argsRegex' cannot be combined with 'sha256' (not supported yet): write two rules")
            return nil
        }
        return .exec(paths: paths, args: args ?? nil, content: content)
    }

    /// Every key is optional: `mount: {}` is every mount.
    static func mountMatch(_ field: Field) -> MountMatch? {
        let keys = ["source", "sourcePrefix", "sourceRegex", "target", "targetPrefix", "targetRegex"]
        guard let m = field.mapping(allowed: keys + ["fstype", "flags"]) else { return nil }
        let sources = patterns("source", in: m)
        let targets = patterns("target", in: m)
        let fsTypes = Field.values(m["fstype"]) { $0.fsType() }
        let flags = Field.values(m["flags"]) { $0.oneOf(MountFlag.self) }
        guard let sources, let targets, let fsTypes, let flags else { return nil }
        return MountMatch(sources: sources, targets: targets, fsTypes: fsTypes, flags: Set(flags))
    }

    /// `name` (exact), `namePrefix` and `nameRegex`, each one string or a list; any may match.
    static func patterns(_ name: String, in fields: [String: Field]) -> [PathPattern]? {
        let exact = Field.values(fields[name]) { $0.absolutePath() }
        let prefixes = Field.values(fields[name + "Prefix"]) { $0.absolutePath() }
        let regexes = Field.values(fields[name + "Regex"]) { $0.regex() }
        guard let exact, let prefixes, let regexes else { return nil }
        return exact.map(PathPattern.exact) + prefixes.map(PathPattern.prefix)
            + regexes.map(PathPattern.regex)
    }
}
