/// The LSM hooks of the Tetragon subset, with the kernel signature each one has
/// (include/linux/lsm_hook_defs.h) and what matching on each argument means here.
enum LSMHook: String, CaseIterable {
    case bprmCheckSecurity = "bprm_check_security"
    case sbMount = "sb_mount"
    case capable

    /// One parameter of the hook.
    struct Parameter {
        /// As the kernel declares it, for messages.
        var declaration: String
        /// The Tetragon argument type that reads it; nil when the subset cannot read it.
        var type: String?
        /// What `matchArgs` on it means; nil when the subset cannot match on it.
        var role: Role?
    }

    /// What the values of a `matchArgs` on a parameter become in the rule.
    enum Role {
        case execPath, mountSource, mountTarget, mountFSType, capability
    }

    var parameters: [Parameter] {
        switch self {
        case .bprmCheckSecurity:
            return [Parameter(declaration: "struct linux_binprm *bprm", type: "linux_binprm", role: .execPath)]
        case .sbMount:
            return [
                Parameter(declaration: "const char *dev_name", type: "string", role: .mountSource),
                Parameter(declaration: "const struct path *path", type: "path", role: .mountTarget),
                Parameter(declaration: "const char *type", type: "string", role: .mountFSType),
                Parameter(declaration: "unsigned long flags", type: "int", role: nil),
                Parameter(declaration: "void *data", type: nil, role: nil),
            ]
        case .capable:
            return [
                Parameter(declaration: "const struct cred *cred", type: nil, role: nil),
                Parameter(declaration: "struct user_namespace *ns", type: nil, role: nil),
                Parameter(declaration: "int cap", type: "int", role: .capability),
                Parameter(declaration: "unsigned int opts", type: "int", role: nil),
            ]
        }
    }

    /// The operation a selector stands for, given what its `matchArgs` say.
    func operation(_ match: ArgumentMatch) -> Operation {
        switch self {
        case .bprmCheckSecurity: return .exec(paths: match.execPaths, args: nil)
        case .sbMount: return .mount(match.mount)
        case .capable: return .capability(match.capabilities ?? Capability.all)
        }
    }
}

/// What the `matchArgs` of one selector say, gathered by role. Absent is any value.
struct ArgumentMatch {
    var execPaths: [PathPattern] = []
    var mount = MountMatch.any
    var capabilities: [Capability]?
}
