import CPortcullisABI
import PortcullisPolicy

/// One deny or audit decision reported by a BPF program (struct pc_event), decoded.
public struct DecisionEvent: Sendable, Hashable {
    public enum Hook: String, Sendable, Hashable {
        case exec, mmapExec = "mmap-exec", mprotectExec = "mprotect-exec", capable, mount
        case moveMount = "move-mount"
        /// Tamper protection (portcullis_abi.h): an attempt on portcullis itself.
        case guardMap = "guard-map", guardPtrace = "guard-ptrace", guardSignal = "guard-signal"
        case guardPin = "guard-pin", guardUmount = "guard-umount", guardClaim = "guard-claim"
        case unknown

        /// Whether this is an attempt on portcullis itself rather than a rule's decision.
        public var isGuard: Bool {
            switch self {
            case .guardMap, .guardPtrace, .guardSignal, .guardPin, .guardUmount, .guardClaim: return true
            case .exec, .mmapExec, .mprotectExec, .capable, .mount, .moveMount, .unknown: return false
            }
        }
    }
    public enum Decision: String, Sendable, Hashable { case deny, audit, unknown }

    public var hook: Hook
    public var decision: Decision
    /// The rule's index in the generation's rule table; nil when no rule decided
    /// (a fail-closed decision on a path that could not be read).
    public var rule: Int?
    public var generation: UInt64
    public var pid: Int32
    public var tgid: Int32
    public var uid: UInt32
    public var comm: String
    public var cgroupID: UInt64
    /// Monotonic time of the decision, in nanoseconds.
    public var timeNanoseconds: UInt64
    /// exec, mmap-exec: the canonical path of the program or mapped file; mount: the mount point.
    public var path: String?
    /// capable: the capability's number.
    public var capability: Int?
    /// mount: the source as given to mount(2), the filesystem type and the MS_* flags.
    public var mountSource: String?
    public var mountFilesystem: String?
    public var mountFlags: UInt64?
    /// The path could not be read whole, and the decision failed closed.
    public var pathUnreadable: Bool
    /// A condition on the process (its executable, arguments or cgroup as its record
    /// keeps them, or no record) was unknown, and the decision took the deny side.
    public var conditionUnknown: Bool
    /// The acting task's executable as its record kept it at the decision (nil: unknown).
    public var executable: String?
    /// exec, mmap-exec: the SHA-256 of the file decided on, lower-case hex (nil: not had).
    public var sha256: String?
    /// exec: decided once the exec had completed (a rule with an argument condition,
    /// at sched_process_exec); a denied program was killed before its first instruction.
    public var afterExec: Bool
    /// guard hooks: the guardian's process id (ptrace, signal; the claimant's for a claim).
    public var guardTarget: UInt32
    /// guard hooks: the descriptor's fmode (map, claim), the ptrace mode, the signal,
    /// the pin operation (enum pc_guard_pin_op) or the mount's id (umount).
    public var guardDetail: UInt32

    /// guard-pin: the LSM hook that refused (enum pc_guard_pin_op).
    public var pinHook: String {
        switch guardDetail {
        case UInt32(PC_GUARD_RMDIR.rawValue): return "inode_rmdir"
        case UInt32(PC_GUARD_RENAME.rawValue): return "inode_rename"
        default: return "inode_unlink"
        }
    }

    /// The bytes of a record before its path (PC_EVENT_FIXED_BYTES).
    static let fixedBytes = MemoryLayout<pc_event>.offset(of: \pc_event.path)!

    /// Decodes a ring-buffer record (struct pc_event up to the end of its path, `path_bytes`
    /// of it); nil when it is not one: too short, too long, or not the size its path says.
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count > Self.fixedBytes, bytes.count <= MemoryLayout<pc_event>.size else { return nil }
        var e = pc_event()
        withUnsafeMutableBytes(of: &e) { $0.copyMemory(from: bytes) }
        guard Int(e.path_bytes) == bytes.count - Self.fixedBytes, bytes[bytes.count - 1] == 0 else { return nil }
        switch e.hook {
        case UInt32(PC_HOOK_EXEC.rawValue): hook = .exec
        case UInt32(PC_HOOK_CAPABLE.rawValue): hook = .capable
        case UInt32(PC_HOOK_MOUNT.rawValue): hook = .mount
        case UInt32(PC_HOOK_MMAP_EXEC.rawValue): hook = .mmapExec
        case UInt32(PC_HOOK_MPROTECT_EXEC.rawValue): hook = .mprotectExec
        case UInt32(PC_HOOK_MOVE_MOUNT.rawValue): hook = .moveMount
        case UInt32(PC_HOOK_GUARD_MAP.rawValue): hook = .guardMap
        case UInt32(PC_HOOK_GUARD_PTRACE.rawValue): hook = .guardPtrace
        case UInt32(PC_HOOK_GUARD_SIGNAL.rawValue): hook = .guardSignal
        case UInt32(PC_HOOK_GUARD_PIN.rawValue): hook = .guardPin
        case UInt32(PC_HOOK_GUARD_UMOUNT.rawValue): hook = .guardUmount
        case UInt32(PC_HOOK_GUARD_CLAIM.rawValue): hook = .guardClaim
        default: hook = .unknown
        }
        switch e.decision {
        case UInt32(PC_ACTION_DENY.rawValue): decision = .deny
        case UInt32(PC_ACTION_AUDIT.rawValue): decision = .audit
        default: decision = .unknown
        }
        rule = e.rule == PC_RULE_NONE ? nil : Int(e.rule)
        generation = e.generation
        pid = Int32(bitPattern: e.pid)
        tgid = Int32(bitPattern: e.tgid)
        uid = e.uid
        cgroupID = e.cgroup_id
        timeNanoseconds = e.time_ns
        comm = Self.string(e.comm)
        let path = Self.string(e.path)
        self.path = path.isEmpty ? nil : path
        capability = hook == .capable ? Int(e.capability) : nil
        let isMount = hook == .mount || hook == .moveMount
        mountSource = isMount ? Self.string(e.source) : nil
        mountFilesystem = isMount ? Self.string(e.fstype) : nil
        mountFlags = isMount ? e.mount_flags : nil
        pathUnreadable = e.flags & UInt32(PC_EVENT_PATH_UNREADABLE) != 0
        afterExec = e.flags & UInt32(PC_EVENT_EXEC_DONE) != 0
        conditionUnknown = e.flags & UInt32(PC_EVENT_CONDITION_UNKNOWN) != 0
        guardTarget = e.target
        guardDetail = e.detail
        let exe = Self.string(e.exe)
        executable = exe.isEmpty ? nil : exe
        sha256 = e.flags & UInt32(PC_EVENT_DIGEST_KNOWN) != 0
            ? withUnsafeBytes(of: e.digest) { ContentDigest(bytes: Array($0))?.hex } : nil
    }

    /// A NUL-terminated C char array as a String (invalid UTF-8 repaired).
    static func string<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
