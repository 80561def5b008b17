/// `metadata`, shared by every format.
enum Metadata {
    /// The policy's name: required, and a DNS-label-like word so it reads well in logs.
    static func name(_ field: Field) -> String? {
        guard let m = field.mapping(allowed: ["name", "labels", "annotations", "namespace"]) else {
            return nil
        }
        if let ns = m["namespace"] {
            ns.keyWarning("'namespace' has no meaning on a host; it is ignored")
        }
        guard let nameField = m["name"] else {
            field.error("'name' is missing")
            return nil
        }
        guard let name = nameField.string() else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-._")
        guard !name.isEmpty, name.count <= 253, name.allSatisfy(allowed.contains) else {
            nameField.error(
                "'\(name)' is not a valid name; use lowercase letters, digits, '-', '.' and '_'")
            return nil
        }
        return name
    }
}
