import Glibc
import Testing

@testable import PortcullisKernel

/// Literal exec rules match by file identity too: the device must be the one the
/// programs read (the file's mount's, as mountinfo numbers it; on btrfs its
/// subvolume's), not stat(2)'s st_dev, which overlayfs reports differently
/// (83-mapping-names.sh, 94-btrfs-subvolumes.sh).
@Suite struct MountDevicesTests {
    @Test func aFileIsItsMountsDeviceAndItsInode() throws {
        let path = "/tmp/pcu-identity-\(getpid())"
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        try #require(fd >= 0)
        close(fd)
        defer { unlink(path) }
        let identity = try #require(MountDevices.current().identity(of: path))
        var st = stat()
        try #require(stat(path, &st) == 0)
        #expect(identity.inode == UInt64(st.st_ino))
        let mountinfo = try #require(HostMountTable.read("/proc/self/mountinfo"))
        let holder = try #require(HostMountTable.chain(holding: path, in: mountinfo).first)
        let statDevice = UInt32(truncatingIfNeeded: (UInt64(st.st_dev) >> 8) & 0xfff) << 20 | UInt32(truncatingIfNeeded: UInt64(st.st_dev) & 0xff)
        #expect(identity.device == (holder.type == "btrfs" ? statDevice : holder.device), "mount \(holder.mountPoint)")
    }

    /// On btrfs the programs key files by subvolume (issue 11): each subvolume
    /// numbers its inodes afresh, so the superblock's device would make a file in
    /// one subvolume another's, and a literal `allow` would grant it.
    @Test func aBtrfsFileIsItsSubvolumesDevice() {
        let sda1: UInt32 = 8 << 20 | 1
        let devices = MountDevices(byMountID: [22: sda1, 47: 42, 48: 42], subvolumed: [47, 48])
        #expect(devices.device(mountID: 22, statDevice: sda1) == sda1)
        #expect(devices.device(mountID: 47, statDevice: 44) == 44)
        #expect(devices.device(mountID: 48, statDevice: 45) == 45)
        // overlayfs: stat names a layer; the superblock's device it is.
        #expect(MountDevices(byMountID: [30: 50]).device(mountID: 30, statDevice: sda1) == 50)
        #expect(devices.device(mountID: 99, statDevice: 1) == nil)
    }

    @Test func onlyRegularFilesHaveOne() {
        let devices = MountDevices.current()
        #expect(devices.identity(of: "/tmp") == nil)
        #expect(devices.identity(of: "/nonexistent/pcu-\(getpid())") == nil)
    }
}
