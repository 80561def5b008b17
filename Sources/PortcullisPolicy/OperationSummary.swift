extension Operation {
    /// One line naming what the rule matches: `exec /usr/bin/kubectl`, `capability CAP_NET_ADMIN`.
    public var summary: String {
        switch self {
        case .exec(let paths, let args):
            return "exec \(paths.map(\.description).joined(separator: " | "))" + (args.map { " args /\($0)/" } ?? "")
        case .capability(let caps): return "capability \(caps.map(\.name).joined(separator: ", "))"
        case .mount(let m):
            return "mount target \(m.targets.map(\.description)) source \(m.sources.map(\.description)) "
                + "type \(m.fsTypes) flags \(m.flags.map(\.rawValue).sorted())"
        }
    }
}
