/// A Linux capability, by its number in <linux/capability.h>.
public struct Capability: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var number: Int

    public init?(name: String) {
        let upper = name.uppercased()
        let bare = upper.hasPrefix("CAP_") ? String(upper.dropFirst(4)) : upper
        guard let n = Self.names.firstIndex(of: bare) else { return nil }
        number = n
    }

    public var name: String { "CAP_" + Self.names[number] }
    public var description: String { name }
    public static func < (a: Self, b: Self) -> Bool { a.number < b.number }

    /// Capability names in number order (CAP_LAST_CAP = 40, CAP_CHECKPOINT_RESTORE).
    static let names = [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
        "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
        "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
        "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
        "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
        "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
    ]
    public static let validNames: [String] = names.map { "CAP_" + $0 }
    /// Every capability, in number order.
    static let all = names.compactMap(Capability.init(name:))
}
