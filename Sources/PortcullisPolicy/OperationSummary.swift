extension Operation {
    /// One line naming what the rule matches: `exec /usr/bin/kubectl`, `capability CAP_NET_ADMIN`.
    public var summary: String {
        switch self {
        case .exec(let paths, let args, let content):
            var line = "exec " + paths.map(\.description).joined(separator: " | ")
            if !content.digests.isEmpty {
                line += (paths.isEmpty ? "" : " and ") + content.digests.map(\.description).joined(separator: " | ")
            }
            return line + (args.map { " args /\($0)/" } ?? "")
        case .capability(let caps): return "capability \(caps.map(\.name).joined(separator: ", "))"
        case .mount(let m):
            return "mount target \(m.targets.map(\.description)) source \(m.sources.map(\.description)) "
                + "type \(m.fsTypes) flags \(m.flags.map(\.rawValue).sorted())"
        }
    }
}

extension Subject {
    /// One line naming who the rule is about: `every process`, or each condition
    /// (`executable /^/usr/bin/mount$/ and args /.*-o.*bind.*/ except (unit ci.service)`).
    public var summary: String {
        guard !isEveryone else { return "every process" }
        var parts: [String] = []
        if !executables.isEmpty { parts.append("executable \(executables.map(\.description).joined(separator: " | "))") }
        if let args { parts.append("args /\(args)/") }
        if !units.isEmpty { parts.append("unit \(units.joined(separator: " | "))") }
        if !cgroups.isEmpty { parts.append("cgroup \(cgroups.map(\.description).joined(separator: " | "))") }
        if !uids.isEmpty { parts.append("uid \(uids.map(String.init).joined(separator: " | "))") }
        if initialUserNamespaceOnly { parts.append("in the initial user namespace") }
        var line = parts.isEmpty ? "every process" : parts.joined(separator: " and ")
        if !except.isEmpty { line += " except (" + except.map(\.summary).joined(separator: "; ") + ")" }
        return line
    }
}
