/// A file as the kernel tells files apart: device and inode number. The device
/// is in the kernel's own encoding (major << 20 | minor), not stat(2)'s; it is
/// the superblock's, but on btrfs the subvolume's (MountDevices).
public struct FileIdentity: Sendable, Hashable {
    public var device: UInt32
    public var inode: UInt64

    public init(device: UInt32, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// From stat(2)'s st_dev (glibc's encoding) and st_ino.
    public init(statDevice: UInt64, inode: UInt64) {
        let major = UInt32(truncatingIfNeeded: ((statDevice >> 8) & 0xfff) | ((statDevice >> 32) & ~0xfff))
        let minor = UInt32(truncatingIfNeeded: (statDevice & 0xff) | ((statDevice >> 12) & ~0xff))
        self.init(device: major << 20 | minor, inode: inode)
    }
}
