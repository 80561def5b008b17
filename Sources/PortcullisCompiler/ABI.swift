import CPortcullisABI

/// The constants of bpf/abi/include/portcullis_abi.h, as Swift integers.
enum ABI {
    static let version = UInt32(PC_ABI_VERSION)
    static let magic = UInt32(PC_IMAGE_MAGIC)
    static let lineWords = Int(PC_LINE_WORDS)
    static let pathMax = Int(PC_PATH_MAX)
    static let acceptMax = Int(PC_ACCEPT_MAX)
    static let quietMax = Int(PC_QUIET_MAX)
    /// Most exec-path DFAs one image has (PC_HDR_EXEC_DFA, then PC_HDR_EXEC_DFA_MORE).
    static let execDFAMax = Int(PC_EXEC_DFA_MAX)

    enum Header {
        static let magic = Int(PC_HDR_MAGIC.rawValue)
        static let abi = Int(PC_HDR_ABI.rawValue)
        static let generationLow = Int(PC_HDR_GEN_LO.rawValue)
        static let generationHigh = Int(PC_HDR_GEN_HI.rawValue)
        static let execDFA = Int(PC_HDR_EXEC_DFA.rawValue)
        static let rules = Int(PC_HDR_RULES.rawValue)
        static let ruleCount = Int(PC_HDR_RULE_COUNT.rawValue)
        static let caps = Int(PC_HDR_CAPS.rawValue)
        static let subjectExeDFA = Int(PC_HDR_SUBJECT_EXE_DFA.rawValue)
        static let subjectArgsDFA = Int(PC_HDR_SUBJECT_ARGS_DFA.rawValue)
        static let subjectAny = Int(PC_HDR_SUBJECT_ANY.rawValue)
        static let execInodes = Int(PC_HDR_EXEC_INODES.rawValue)
        static let execInodeMask = Int(PC_HDR_EXEC_INODE_MASK.rawValue)
        static let mount = Int(PC_HDR_MOUNT.rawValue)
        static let subjectUIDs = Int(PC_HDR_SUBJECT_UIDS.rawValue)
        static let subjectUIDMask = Int(PC_HDR_SUBJECT_UID_MASK.rawValue)
        static let subjectExcepts = Int(PC_HDR_SUBJECT_EXCEPTS.rawValue)
        static let subjectExceptCount = Int(PC_HDR_SUBJECT_EXCEPT_COUNT.rawValue)
        static let execConditions = Int(PC_HDR_EXEC_CONDITIONS.rawValue)
        static let execNameDFA = Int(PC_HDR_EXEC_NAME_DFA.rawValue)
        static let subjectCgroupDFA = Int(PC_HDR_SUBJECT_CGROUP_DFA.rawValue)
        static let subjectNoCgroup = Int(PC_HDR_SUBJECT_NO_CGROUP.rawValue)
        static let subjectInitialUserNamespace = Int(PC_HDR_SUBJECT_INITIAL_USERNS.rawValue)
        static let execDigests = Int(PC_HDR_EXEC_DIGESTS.rawValue)
        static let execDigestMask = Int(PC_HDR_EXEC_DIGEST_MASK.rawValue)
        static let execContentUnknown = Int(PC_HDR_EXEC_CONTENT_UNKNOWN.rawValue)
        static let subjectEpochLow = Int(PC_HDR_SUBJECT_EPOCH_LO.rawValue)
        static let subjectEpochHigh = Int(PC_HDR_SUBJECT_EPOCH_HI.rawValue)
        static let execDFAMore = Int(PC_HDR_EXEC_DFA_MORE.rawValue)
        static let words = Int(PC_HDR_WORDS.rawValue)
    }

    enum UID {
        static let bucketSlots = Int(PC_UID_BUCKET_SLOTS)
        static func hash(_ uid: UInt32) -> UInt32 { pc_uid_hash(uid) }
    }

    enum DFA {
        static let classCount = Int(PC_DFA_CLASS_COUNT.rawValue)
        static let stateCount = Int(PC_DFA_STATE_COUNT.rawValue)
        static let start = Int(PC_DFA_START.rawValue)
        static let classes = Int(PC_DFA_CLASSES.rawValue)
        static let transitions = Int(PC_DFA_TRANSITIONS.rawValue)
        static let accepts = Int(PC_DFA_ACCEPTS.rawValue)
        static let words = Int(PC_DFA_WORDS.rawValue)
        static let classWords = Int(PC_DFA_CLASS_WORDS)
        static let dead = UInt32(PC_DFA_DEAD)
    }

    enum Mount {
        static let targetDFA = Int(PC_MOUNT_TARGET_DFA.rawValue)
        static let sourceDFA = Int(PC_MOUNT_SOURCE_DFA.rawValue)
        static let fstypeDFA = Int(PC_MOUNT_FSTYPE_DFA.rawValue)
        static let any = Int(PC_MOUNT_ANY.rawValue)
        static let noFstype = Int(PC_MOUNT_NO_FSTYPE.rawValue)
        static let flagSets = Int(PC_MOUNT_FLAG_SETS.rawValue)
        static let rules = Int(PC_MOUNT_RULES.rawValue)
        static let ruleCount = Int(PC_MOUNT_RULE_COUNT.rawValue)
        static let words = Int(PC_MOUNT_WORDS.rawValue)
        static let ruleMax = Int(PC_MOUNT_RULE_MAX)
        static let ruleWords = Int(PC_MOUNT_RULE_WORDS)
        static let flagCount = Int(PC_MOUNT_FLAG_COUNT)
        /// The MS_* bit of flag number `f` (the ABI's order).
        static func flagBit(_ f: Int) -> UInt64 { UInt64(pc_mount_flag_bit(Int32(f))) }
    }

    enum Inode {
        static let entryWords = Int(PC_INODE_ENTRY_WORDS)
        static let probes = Int(PC_INODE_PROBES)
        static func hash(dev: UInt32, ino: UInt64) -> UInt32 { pc_inode_hash(dev, ino) }
    }

    /// The content table (struct pc_digest_entry): one line per entry.
    enum Digest {
        static let bytes = Int(PC_DIGEST_BYTES)
        static let probes = Int(PC_DIGEST_PROBES)
        static let contentMax = Int(PC_SUBJECT_MAX)
        /// Word offsets within an entry.
        static let rules = 8
        static let content = 9
        static let used = 10
        static func hash(firstWord: UInt32) -> UInt32 { pc_digest_hash(firstWord) }
    }

    enum Subject {
        static let max = Int(PC_SUBJECT_MAX)
        static let words = Int(PC_SUBJECT_MAX) / 32
    }

    enum Task {
        /// Bytes of a text a task's record keeps (a longer one is cut).
        static let textMax = Int(PC_TASK_TEXT_MAX)
        /// Levels below the root a cgroup path is read through (a deeper one is unknown).
        static let cgroupDepth = Int(PC_CGROUP_DEPTH)
        static let argv0Max = Int(PC_ARGV0_MAX)
    }

    enum Cap {
        static let count = Int(PC_CAP_COUNT)
        static let deny = Int(PC_CAP_DENY)
        static let audit = Int(PC_SUBJECT_MAX) / 32
    }

    enum Rule {
        static let action = Int(PC_RULE_ACTION.rawValue)
        static let id = Int(PC_RULE_ID.rawValue)
        static let keyLow = Int(PC_RULE_KEY_LO.rawValue)
        static let keyHigh = Int(PC_RULE_KEY_HI.rawValue)
        static let caller = Int(PC_RULE_CALLER.rawValue)
        static let args = Int(PC_RULE_ARGS.rawValue)
        static let policy = Int(PC_RULE_POLICY.rawValue)
        static let content = Int(PC_RULE_CONTENT.rawValue)
        static let words = Int(PC_RULE_WORDS.rawValue)
    }

    /// PC_HDR_EXEC_CONDITIONS bits.
    enum ExecConditions {
        static let caller = UInt32(PC_EXEC_HAS_CALLER)
        static let args = UInt32(PC_EXEC_HAS_ARGS)
        static let allow = UInt32(PC_EXEC_HAS_ALLOW)
    }

    enum Action {
        static let none = UInt32(PC_ACTION_NONE.rawValue)
        static let audit = UInt32(PC_ACTION_AUDIT.rawValue)
        static let deny = UInt32(PC_ACTION_DENY.rawValue)
    }
}
