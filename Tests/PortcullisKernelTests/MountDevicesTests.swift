import Glibc
import Testing

@testable import PortcullisKernel

/// Literal exec rules match by file identity too: the device must be the kernel's
/// (the file's mount's, as mountinfo numbers it), not stat(2)'s st_dev, which
/// overlayfs and btrfs subvolumes report differently (83-mapping-names.sh).
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
        #expect(identity.device == holder.device, "mount \(holder.mountPoint)")
    }

    @Test func onlyRegularFilesHaveOne() {
        let devices = MountDevices.current()
        #expect(devices.identity(of: "/tmp") == nil)
        #expect(devices.identity(of: "/nonexistent/pcu-\(getpid())") == nil)
    }
}
