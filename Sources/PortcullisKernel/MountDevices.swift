import CBPF
import PortcullisCompiler
import PortcullisSystem
import Synchronization

/// Each mount's device as the kernel numbers it (its superblock's s_dev, the
/// `major:minor` of /proc/self/mountinfo), by mount id: what the programs read as
/// a file's device (`i_sb->s_dev`). stat(2)'s st_dev differs on overlayfs (a
/// lower layer's device), so file identities are taken from here and the file's
/// mount id instead. On btrfs the programs tell files apart by subvolume (each
/// numbers its inodes afresh under one superblock): there a file's device is its
/// subvolume's, which is what stat(2) gives.
public struct MountDevices: Sendable {
    let byMountID: [Int: UInt32]
    /// The mounts of btrfs filesystems.
    let subvolumed: Set<Int>

    init(byMountID: [Int: UInt32], subvolumed: Set<Int> = []) {
        self.byMountID = byMountID
        self.subvolumed = subvolumed
    }

    /// The mounts visible now; empty when mountinfo cannot be read. The text is
    /// read again only when the mount table changed (MountTableFile).
    public static func current() -> MountDevices {
        let text = MountTableFile.own.text() ?? ""
        if let (parsed, devices) = last.withLock({ $0 }), parsed == text { return devices }
        let devices = MountDevices(parsing: text)
        last.withLock { $0 = (text, devices) }
        return devices
    }

    /// The text last parsed, and its mounts.
    private static let last = Mutex<(String, MountDevices)?>(nil)

    init(parsing mountinfo: String) {
        let entries = HostMountTable.parse(mountinfo)
        self.init(
            byMountID: Dictionary(entries.map { ($0.id, $0.device) }, uniquingKeysWith: { a, _ in a }),
            subvolumed: Set(entries.filter { $0.type == "btrfs" }.map(\.id)))
    }

    /// The identity of the regular file at `path` (symlinks followed) as the kernel
    /// sees it; nil when there is none, or its mount is not among these.
    /// A mount newer than these is looked up in mountinfo again.
    public func identity(of path: String) -> FileIdentity? {
        var mountID: UInt64 = 0
        var inode: UInt64 = 0
        var statDevice: UInt32 = 0
        guard portcullis_file_mount_inode(path, &mountID, &inode, &statDevice) == 0 else { return nil }
        let mounts = byMountID[Int(mountID)] == nil ? Self.current() : self
        guard let device = mounts.device(mountID: Int(mountID), statDevice: statDevice) else { return nil }
        return FileIdentity(device: device, inode: inode)
    }

    /// The device the programs key a file on mount `mountID` by, stat(2) giving it
    /// `statDevice`: its subvolume's on btrfs, else its superblock's.
    func device(mountID: Int, statDevice: UInt32) -> UInt32? {
        guard let device = byMountID[mountID] else { return nil }
        return subvolumed.contains(mountID) ? statDevice : device
    }
}
