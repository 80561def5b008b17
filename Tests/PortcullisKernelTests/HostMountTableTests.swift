@testable import PortcullisKernel
import Testing

/// The host's mount table the kernel reads host paths under: /proc/self/mountinfo
/// parsed into mount ids, devices (the kernel's dev_t) and mount points.
@Suite struct HostMountTableTests {
    static let mountinfo = """
        22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
        25 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
        40 22 259:3 /@home /home rw shared:20 - btrfs /dev/nvme0n1p3 rw,subvol=/@home
        41 22 0:45 / /srv/with\\040space rw - tmpfs tmpfs rw
        42 22 0:46 / /srv/tab\\011and\\134backslash rw - tmpfs tmpfs rw
        garbage line
        43 22 x:y / /bad rw - tmpfs tmpfs rw

        """

    @Test func linesGiveIdsDevicesAndMountPoints() {
        let entries = HostMountTable.parse(Self.mountinfo)
        #expect(entries.map(\.id) == [22, 25, 40, 41, 42])
        #expect(entries[0] == HostMountTable.Entry(id: 22, parent: 1, device: 8 << 20 | 1, mountPoint: "/"))
        #expect(entries[2].device == 259 << 20 | 3)
        #expect(entries[3].mountPoint == "/srv/with space")
        #expect(entries[4].mountPoint == "/srv/tab\tand\\backslash")
    }

    /// Locking protects the mount that holds the pins and every mount above it.
    @Test func theChainRunsFromTheHoldingMountUpToTheRoot() {
        let text = """
            22 1 8:1 / / rw - ext4 /dev/sda1 rw
            23 22 0:20 / /sys rw - sysfs sysfs rw
            24 23 0:30 / /sys/fs/bpf rw - bpf bpf rw
            25 23 0:31 / /sys/fs/bpfx rw - tmpfs tmpfs rw
            26 24 0:32 / /sys/fs/bpf rw - bpf bpf rw

            """
        // The last mount on /sys/fs/bpf is the one on top, and a longer name that merely shares the prefix is not a parent.
        #expect(HostMountTable.chain(holding: "/sys/fs/bpf/portcullis", in: text).map(\.id) == [26, 24, 23, 22])
        #expect(HostMountTable.chain(holding: "/srv/x", in: text).map(\.id) == [22])
        #expect(HostMountTable.chain(holding: "/sys/fs/bpf/portcullis", in: "").isEmpty)
    }

    @Test func unescapingLeavesOtherBackslashesAlone() {
        #expect(HostMountTable.unescape("/a\\040b") == "/a b")
        #expect(HostMountTable.unescape("/a\\04") == "/a\\04")
        #expect(HostMountTable.unescape("/a\\x41") == "/a\\x41")
        #expect(HostMountTable.unescape("/plain") == "/plain")
    }

    @Test func thisHostsTableHasItsRoot() throws {
        let table = try #require(HostMountTable.current())
        // The root directory's own mount is listed, and named "" (the walk adds the "/").
        #expect(table.mounts.values.contains(""))
        #expect(!table.mounts.values.contains("/"))
        #expect(table.mounts.values.allSatisfy { $0.isEmpty || $0.hasPrefix("/") })
    }
}
