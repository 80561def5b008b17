import PortcullisYAML

/// What reading one policy file gave: its policies and what was wrong with it.
public struct PolicyFile: Sendable, Hashable {
    public var path: String
    public var policies: [Policy]
    public var diagnostics: [Diagnostic]

    public init(path: String, policies: [Policy], diagnostics: [Diagnostic]) {
        self.path = path
        self.policies = policies
        self.diagnostics = diagnostics
    }

    /// A file with errors is not used at all: half a file is not what its author meant.
    public var isUsable: Bool { !diagnostics.contains { $0.severity == .error } }
}

/// YAML text → policies, whatever the format of each document.
public enum PolicyReader {
    static let formats = [NativeFormat.kind, CiliumFormat.kind, TetragonFormat.kind]

    public static func read(_ bytes: [UInt8], file: String) -> PolicyFile {
        let log = DiagnosticLog(file: file)
        var policies: [Policy] = []
        do {
            for document in try YAMLReader.documents(in: bytes, file: file) {
                let root = Field(node: document, path: "", log: log)
                guard let policy = read(root) else { continue }
                if let first = policies.first(where: { $0.name == policy.name }) {
                    log.error(
                        SourceMark(line: policy.source.line, column: policy.source.column), "metadata.name",
                        "policy '\(policy.name)' is already defined in this file, at line \(first.source.line)")
                }
                policies.append(policy)
            }
        } catch {
            log.error(error.mark, "", error.message)
        }
        if policies.isEmpty, !log.hasErrors {
            log.warning(SourceMark(line: 1, column: 1), "", "the file holds no policy")
        }
        return PolicyFile(path: file, policies: policies, diagnostics: log.entries)
    }

    static func read(_ root: Field) -> Policy? {
        guard let top = root.mapping(allowed: ["apiVersion", "kind", "metadata", "spec"]) else {
            return nil
        }
        guard let kindField = top["kind"] else {
            root.error("'kind' is missing; expected one of \(Field.list(formats))")
            return nil
        }
        guard let kind = kindField.string() else { return nil }
        let apiVersions: [String]
        let reader: ([String: Field]) -> Policy?
        switch kind {
        case NativeFormat.kind: (apiVersions, reader) = (NativeFormat.apiVersions, NativeFormat.read)
        case CiliumFormat.kind: (apiVersions, reader) = (CiliumFormat.apiVersions, CiliumFormat.read)
        case TetragonFormat.kind: (apiVersions, reader) = (TetragonFormat.apiVersions, TetragonFormat.read)
        case TetragonFormat.namespacedKind:
            kindField.error(
                "a \(kind) applies to one Kubernetes namespace, and a host has none; "
                    + "use 'kind: \(TetragonFormat.kind)'")
            return nil
        default:
            kindField.error("unsupported kind '\(kind)'; expected one of \(Field.list(formats))")
            return nil
        }
        if let versionField = top["apiVersion"], let version = versionField.string(),
            !apiVersions.contains(version)
        {
            versionField.error(
                "unsupported apiVersion '\(version)' for \(kind); expected \(Field.list(apiVersions))")
            return nil
        }
        for key in ["metadata", "spec"] where top[key] == nil {
            root.error("'\(key)' is missing")
        }
        return reader(top)
    }
}
