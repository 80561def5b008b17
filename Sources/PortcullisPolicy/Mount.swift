/// The mounts a mount rule is about. Each list is a condition that must hold, and its
/// entries are alternatives; an empty list is any value. Every flag in `flags` must be set.
public struct MountMatch: Sendable, Hashable {
    /// What is mounted: the device, or the path a bind or move mount takes.
    public var sources: [PathPattern]
    /// The mount point.
    public var targets: [PathPattern]
    /// Filesystem types such as `tmpfs`, `overlay` or `fuse.sshfs`.
    public var fsTypes: [String]
    /// Flags the mount must all have, e.g. `[.bind, .recursive]` for `mount --rbind`.
    public var flags: Set<MountFlag>

    public init(
        sources: [PathPattern] = [], targets: [PathPattern] = [], fsTypes: [String] = [],
        flags: Set<MountFlag> = []
    ) {
        self.sources = sources
        self.targets = targets
        self.fsTypes = fsTypes
        self.flags = flags
    }

    /// Every mount.
    public static let any = MountMatch()
}

/// A mount(2) flag a mount rule can require, spelled as in `mount -o`.
public enum MountFlag: String, Sendable, Hashable, CaseIterable {
    /// MS_BIND
    case bind
    /// MS_REMOUNT
    case remount
    /// MS_MOVE
    case move
    /// MS_REC
    case recursive
    /// MS_RDONLY
    case readOnly = "ro"
    /// MS_NOSUID
    case noSuid = "nosuid"
    /// MS_NODEV
    case noDev = "nodev"
    /// MS_NOEXEC
    case noExec = "noexec"
}
