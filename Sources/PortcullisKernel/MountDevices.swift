import CBPF
import PortcullisCompiler

/// Each mount's device as the kernel numbers it (its superblock's s_dev, the
/// `major:minor` of /proc/self/mountinfo), by mount id: what the programs read as
/// a file's device (`i_sb->s_dev`). stat(2)'s st_dev differs on overlayfs (a
/// lower layer's device) and on btrfs (a subvolume's), so file identities are
/// taken from here and the file's mount id instead.
public struct MountDevices: Sendable {
    let byMountID: [Int: UInt32]

    init(byMountID: [Int: UInt32]) { self.byMountID = byMountID }

    /// The mounts visible now; empty when mountinfo cannot be read.
    public static func current() -> MountDevices {
        let text = HostMountTable.read("/proc/self/mountinfo") ?? ""
        return MountDevices(
            byMountID: Dictionary(HostMountTable.parse(text).map { ($0.id, $0.device) }, uniquingKeysWith: { a, _ in a }))
    }

    /// The identity of the regular file at `path` (symlinks followed) as the kernel
    /// sees it; nil when there is none, or its mount is not among these.
    /// A mount newer than these is looked up in mountinfo again.
    public func identity(of path: String) -> FileIdentity? {
        var mountID: UInt64 = 0
        var inode: UInt64 = 0
        guard portcullis_file_mount_inode(path, &mountID, &inode) == 0,
            let device = byMountID[Int(mountID)] ?? Self.current().byMountID[Int(mountID)]
        else { return nil }
        return FileIdentity(device: device, inode: inode)
    }
}
