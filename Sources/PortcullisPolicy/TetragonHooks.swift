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
        /// The Tetragon argument type that reads it for `matchArgs`; nil when the subset
        /// cannot match on it.
        var type: String?
        /// Other types Tetragon reads it with that only show it in events: it cannot
        /// filter on them (`matchArgs` on a `capability` fails to load in Tetragon).
        var eventTypes: [String] = []
        /// What `matchArgs` on it means; nil when the subset cannot match on it.
        var role: Role?

        /// Every type an `args` entry may give it; `nop` (Tetragon's "read nothing") aside.
        var declarableTypes: [String] { (type.map { [$0] } ?? []) + eventTypes }
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
                Parameter(declaration: "const struct cred *cred", type: nil, eventTypes: ["cred"], role: nil),
                Parameter(
                    declaration: "struct user_namespace *ns", type: nil, eventTypes: ["user_namespace"], role: nil),
                Parameter(declaration: "int cap", type: "int", eventTypes: ["capability"], role: .capability),
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

/// The kernel functions whose kprobes are read, each as the LSM hook it stands for: the
/// function takes the hook's parameters, and runs where the hook does.
enum KprobeCall: String, CaseIterable {
    case securityBprmCheck = "security_bprm_check"
    case securitySbMount = "security_sb_mount"
    case capCapable = "cap_capable"

    var hook: LSMHook {
        switch self {
        case .securityBprmCheck: return .bprmCheckSecurity
        case .securitySbMount: return .sbMount
        case .capCapable: return .capable
        }
    }

    /// Tetragon overrides the return value of system calls and `security_` functions only;
    /// it refuses to load `Override` on any other function.
    var canOverride: Bool { rawValue.hasPrefix("security_") }

    /// The `lsmhooks` entry this kprobe is read as, for messages.
    var lsmhooksForm: String { "portcullis reads `call: \(rawValue)` as `lsmhooks: - hook: \(hook.rawValue)`" }
}

/// What an entry of `lsmhooks` or `kprobes` is read against: its LSM hook and, for a
/// kprobe, the kernel function standing for it.
struct HookSite {
    var hook: LSMHook
    var kprobe: KprobeCall?

    /// The hook or function as the policy names it, for messages.
    var name: String { kprobe?.rawValue ?? hook.rawValue }
}

/// What the `matchArgs` of one selector say, gathered by role. Absent is any value.
struct ArgumentMatch {
    var execPaths: [PathPattern] = []
    var mount = MountMatch.any
    var capabilities: [Capability]?
}
