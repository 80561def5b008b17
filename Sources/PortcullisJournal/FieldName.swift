/// The name of one of portcullis's own journal fields: `PORTCULLIS_` and then
/// upper-case letters, digits and underscores, 64 characters at most, as
/// journald requires of field names (and never a leading `_`, which journald
/// reserves for the fields it adds itself).
public struct FieldName: Sendable, Hashable, CustomStringConvertible {
    public static let prefix = "PORTCULLIS_"
    public static let maxLength = 64

    public let rawValue: String

    /// nil unless `rawValue` is a valid portcullis field name.
    public init?(_ rawValue: String) {
        guard Self.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// `PORTCULLIS_` followed by `suffix`, for the names below: always valid.
    private init(known suffix: String) {
        rawValue = Self.prefix + suffix
    }

    public static func isValid(_ name: String) -> Bool {
        name.hasPrefix(prefix) && name.utf8.count <= maxLength
            && name.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }

    public var description: String { rawValue }

    // The daemon's own entries.
    public static let generation = FieldName(known: "GENERATION")
    public static let policyCount = FieldName(known: "POLICY_COUNT")
    public static let ruleCount = FieldName(known: "RULE_COUNT")
    public static let fileCount = FieldName(known: "FILE_COUNT")
    public static let policies = FieldName(known: "POLICIES")
    public static let execStates = FieldName(known: "EXEC_STATES")
    public static let programIDs = FieldName(known: "PROGRAM_IDS")
    public static let policyDirectory = FieldName(known: "POLICY_DIR")
    public static let signal = FieldName(known: "SIGNAL")
    public static let programsStart = FieldName(known: "PROGRAMS_START")
    public static let pins = FieldName(known: "PINS")
    public static let verifiedInstructions = FieldName(known: "VERIFIED_INSNS")
    public static let loadMilliseconds = FieldName(known: "LOAD_MS")
    public static let readMilliseconds = FieldName(known: "READ_MS")
    public static let compileMilliseconds = FieldName(known: "COMPILE_MS")
    public static let swapMilliseconds = FieldName(known: "SWAP_MS")
    public static let taskViews = FieldName(known: "TASK_VIEWS")

    // Where: the policy file an entry is about, and a place in a policy file.
    public static let policyFile = FieldName(known: "POLICY_FILE")
    public static let file = FieldName(known: "FILE")
    public static let line = FieldName(known: "LINE")
    public static let column = FieldName(known: "COLUMN")
    /// The place in the document, e.g. `spec.rules[0].exec.path`.
    public static let field = FieldName(known: "FIELD")

    // Decisions.
    public static let hook = FieldName(known: "HOOK")
    public static let decision = FieldName(known: "DECISION")
    public static let ruleID = FieldName(known: "RULE_ID")
    public static let policy = FieldName(known: "POLICY")
    public static let pid = FieldName(known: "PID")
    public static let tgid = FieldName(known: "TGID")
    public static let uid = FieldName(known: "UID")
    public static let comm = FieldName(known: "COMM")
    public static let exe = FieldName(known: "EXE")
    public static let cgroupID = FieldName(known: "CGROUP_ID")
    public static let cgroup = FieldName(known: "CGROUP")
    public static let cgroupSource = FieldName(known: "CGROUP_SOURCE")
    public static let unit = FieldName(known: "UNIT")
    public static let path = FieldName(known: "PATH")
    public static let sha256 = FieldName(known: "SHA256")
    public static let capability = FieldName(known: "CAPABILITY")
    public static let mountSource = FieldName(known: "MOUNT_SOURCE")
    public static let mountTarget = FieldName(known: "MOUNT_TARGET")
    public static let mountFSType = FieldName(known: "MOUNT_FSTYPE")
    public static let mountFlags = FieldName(known: "MOUNT_FLAGS")
    public static let droppedCount = FieldName(known: "DROPPED_COUNT")
    public static let runtimeDirectory = FieldName(known: "RUNTIME_DIR")
    public static let cacheDirectory = FieldName(known: "CACHE_DIR")
    public static let step = FieldName(known: "STEP")
    public static let unknown = FieldName(known: "UNKNOWN")
    public static let tamper = FieldName(known: "TAMPER")
    public static let tamperObject = FieldName(known: "TAMPER_OBJECT")
    public static let found = FieldName(known: "FOUND")
    public static let version = FieldName(known: "VERSION")

    /// Every name above, for the tests and the documentation.
    public static let known: [FieldName] = [
        generation, policyCount, ruleCount, fileCount, policies, execStates, programIDs,
        policyDirectory, signal, policyFile, file, line, column, field, hook, decision,
        ruleID, policy, pid, tgid, uid, comm, exe, cgroupID, cgroup, cgroupSource, unit, path, capability,
        mountSource, mountTarget, mountFSType, mountFlags, droppedCount, programsStart, pins, runtimeDirectory, cacheDirectory, step,
        verifiedInstructions, loadMilliseconds, readMilliseconds, compileMilliseconds, swapMilliseconds, taskViews, unknown, tamper, tamperObject, found, version,
    ]
}
