/// The `subject` of a native rule: who performs the operation.
///
///     subject:
///       pathRegex: "^/usr/bin/(mount|umount)$"   # also path, pathPrefix; argsRegex
///       unit: [nginx.service, system.slice]     # systemd units and slices
///       cgroup: /system.slice/docker.service    # that cgroup and below; also cgroupRegex
///       uid: [0, 1000]
///       except: [{ path: /usr/lib/systemd/systemd }]
extension NativeFormat {
    static let subjectKeys = [
        "path", "pathPrefix", "pathRegex", "argsRegex", "unit", "cgroup", "cgroupRegex", "uid", "except",
    ]

    static func subject(_ field: Field) -> Subject? {
        guard let s = field.mapping(allowed: subjectKeys) else { return nil }
        let subject = conditions(s)
        let except = Field.values(s["except"], exception)
        guard var subject, let except else { return nil }
        subject.except = except
        return subject
    }

    /// One entry of `except`: a subject with at least one condition and no `except` of its own.
    static func exception(_ field: Field) -> Subject? {
        guard let s = field.mapping(allowed: subjectKeys) else { return nil }
        if let nested = s["except"] {
            nested.keyError("an exception cannot have exceptions of its own; write another rule instead")
            return nil
        }
        guard let subject = conditions(s) else { return nil }
        guard !subject.isEveryone else {
            field.error("an 'except' entry needs a condition; an empty one would exclude every process")
            return nil
        }
        return subject
    }

    /// Everything but `except`.
    static func conditions(_ s: [String: Field]) -> Subject? {
        let executables = patterns("path", in: s)
        let args = s["argsRegex"].map { $0.regex() }
        let units = Field.values(s["unit"]) { $0.unitName() }
        let cgroups = Field.values(s["cgroup"]) { $0.cgroupSubtree() }
        let cgroupRegexes = Field.values(s["cgroupRegex"]) { $0.regex() }
        let uids = Field.values(s["uid"]) { $0.uid() }
        if let args, args == nil { return nil }
        guard let executables, let units, let cgroups, let cgroupRegexes, let uids else { return nil }
        return Subject(
            executables: executables, args: args ?? nil, units: units,
            cgroups: cgroups.flatMap { $0 } + cgroupRegexes.map(PathPattern.regex), uids: uids)
    }
}
