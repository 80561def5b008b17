import CPortcullisABI
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
        #expect(entries[0] == HostMountTable.Entry(id: 22, parent: 1, device: 8 << 20 | 1, mountPoint: "/", type: "ext4"))
        #expect(entries[2].device == 259 << 20 | 3)
        #expect(entries.map(\.type) == ["ext4", "proc", "btrfs", "tmpfs", "tmpfs"])
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

    /// A mount root's other host paths: every other mount of its filesystem whose
    /// root is that directory or one above it (issue 11: propagation into peers).
    @Test func aMountRootMountedElsewhereTooHasAliases() {
        let text = """
            22 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw
            30 22 0:40 / /srv/pool rw shared:14 - tmpfs pool rw
            31 22 0:40 / /srv/pool-peer rw shared:14 - tmpfs pool rw
            32 22 0:40 /guarded /srv/guarded-peer rw shared:14 - tmpfs pool rw
            33 22 8:1 /srv/twice /backup/twice rw - ext4 /dev/sda1 rw
            34 22 0:41 /a /x rw - tmpfs t rw
            35 22 0:41 /ab /y rw - tmpfs t rw

            """
        let entries = HostMountTable.parse(text)
        #expect(entries[3].root == "/guarded")
        let inodes: [Int: UInt64] = [22: 2, 30: 1, 31: 1, 32: 7, 33: 9, 34: 3, 35: 4]
        let table = HostMountTable(visible: entries.map { ($0, HostMountTable.Root(device: $0.device, inode: inodes[$0.id]!)) })
        let root = HostMountTable.Root(device: 8 << 20 | 1, inode: 2)
        let pool = HostMountTable.Root(device: 40, inode: 1)
        let guarded = HostMountTable.Root(device: 40, inode: 7)
        let twice = HostMountTable.Root(device: 8 << 20 | 1, inode: 9)
        #expect(table.mounts[pool] == "/srv/pool")
        #expect(table.aliases[pool] == ["/srv/pool-peer"])
        #expect(table.mounts[guarded] == "/srv/guarded-peer")
        #expect(table.aliases[guarded] == ["/srv/pool-peer/guarded", "/srv/pool/guarded"])
        #expect(table.mounts[twice] == "/backup/twice")
        #expect(table.aliases[twice] == ["/srv/twice"])
        #expect(table.aliases[root] == nil)
        // A root that merely shares a prefix ("/ab" is not under "/a") is no alias.
        #expect(table.aliases[HostMountTable.Root(device: 41, inode: 3)] == nil)
        #expect(table.aliases[HostMountTable.Root(device: 41, inode: 4)] == nil)
        #expect(HostMountTable.relative("/a/b", under: "/a") == "/b")
        #expect(HostMountTable.relative("/a", under: "/") == "/a")
        #expect(HostMountTable.relative("/", under: "/") == "")

        // Executables the host shows at other paths too (seeded records are marked so).
        #expect(table.showsElsewhere("/backup/twice/tool"))
        #expect(table.showsElsewhere("/srv/twice/tool"))  // the same file by its other path
        #expect(table.showsElsewhere("/srv/pool/guarded/tool"))  // under the guarded root's alias, the closest
        #expect(table.showsElsewhere("/srv/pool/other"))
        #expect(!table.showsElsewhere("/srv/twicer/tool"))  // a name that merely shares the prefix
        #expect(!table.showsElsewhere("/usr/bin/true"))
        #expect(!table.showsElsewhere("/x/tool"))
    }

    /// btrfs subvolumes mounted apart (issue 11): each subvolume's root is inode 256
    /// on the one superblock device mountinfo shows, so that key names only the first
    /// mounted; the key of the subvolume's own device (stat's, which the kernel's walk
    /// uses when it has the btrfs module's types) names each at its own mount point.
    @Test func btrfsSubvolumesMountedApartAreKeyedByTheirOwnDevices() {
        let text = """
            22 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw
            46 22 0:42 / /mnt/top rw,relatime - btrfs /dev/loop0 rw,subvolid=5,subvol=/
            47 22 0:42 /@a /srv/sa rw,relatime shared:7 - btrfs /dev/loop0 rw,subvolid=256,subvol=/@a
            48 22 0:42 /@b /srv/sb rw,relatime - btrfs /dev/loop0 rw,subvolid=257,subvol=/@b

            """
        let entries = HostMountTable.parse(text)
        #expect(entries.map(\.type) == ["ext4", "btrfs", "btrfs", "btrfs"])
        let statDevices: [Int: UInt32] = [22: 8 << 20 | 1, 46: 43, 47: 44, 48: 45]
        let inodes: [Int: UInt64] = [22: 2, 46: 256, 47: 256, 48: 256]
        // Not btrfs, or stat agrees with mountinfo: one key.
        #expect(HostMountTable.roots(of: entries[0], inode: 2, statDevice: 8 << 20 | 1).count == 1)
        #expect(HostMountTable.roots(of: entries[1], inode: 256, statDevice: 42).count == 1)
        let visible = entries.flatMap { entry in
            HostMountTable.roots(of: entry, inode: inodes[entry.id]!, statDevice: statDevices[entry.id]!).map { (entry, $0) }
        }
        #expect(visible.count == 7)
        let table = HostMountTable(visible: visible)
        #expect(table.mounts[HostMountTable.Root(device: 43, inode: 256)] == "/mnt/top")
        #expect(table.mounts[HostMountTable.Root(device: 44, inode: 256)] == "/srv/sa")
        #expect(table.mounts[HostMountTable.Root(device: 45, inode: 256)] == "/srv/sb")
        // The subvolume's directory is also under the top-level mount.
        #expect(table.aliases[HostMountTable.Root(device: 45, inode: 256)] == ["/mnt/top/@b"])
        #expect(table.aliases[HostMountTable.Root(device: 43, inode: 256)] == nil)
        // The superblock's key, for programs loaded without the btrfs types: a path
        // found by it may be another subvolume's, so the kernel may not read it.
        #expect(table.mounts[HostMountTable.Root(device: 42, inode: 256)] == "/mnt/top")
        #expect(table.unresolved == [HostMountTable.Root(device: 42, inode: 256)])
        #expect(HostMountTable.value("/mnt/top", aliases: [], unreadable: true).aliases == PC_HOST_ALIASES_MAX + 1)
        #expect(HostMountTable.value("/mnt/top", aliases: []).aliases == 0)
    }

    /// The map's value: the aliases follow the mount point, each after the one
    /// before; more than PC_HOST_ALIASES_MAX, or too long to fit, count as more.
    @Test func valuesHoldTheAliasesAfterTheMountPoint() {
        func alias(_ value: pc_mount_point, _ k: Int) -> pc_mount_alias {
            withUnsafeBytes(of: value.alias) { $0.bindMemory(to: pc_mount_alias.self)[k] }
        }
        func text(_ value: pc_mount_point, start: UInt32, length: UInt32) -> String {
            withUnsafeBytes(of: value.path) { String(decoding: $0[Int(start)..<Int(start + length)], as: UTF8.self) }
        }
        let one = HostMountTable.value("/srv/pool", aliases: ["/srv/pool-peer"])
        #expect(one.length == 9 && one.aliases == 1)
        #expect(alias(one, 0).start == 9 && alias(one, 0).length == 14)
        #expect(text(one, start: 0, length: 23) == "/srv/pool/srv/pool-peer")

        let three = HostMountTable.value("/a", aliases: ["/bb", "/ccc", ""])
        #expect(three.aliases == 3)
        #expect(text(three, start: alias(three, 0).start, length: alias(three, 0).length) == "/bb")
        #expect(text(three, start: alias(three, 1).start, length: alias(three, 1).length) == "/ccc")
        #expect(alias(three, 2).start == 9 && alias(three, 2).length == 0)

        let four = (1...Int(PC_HOST_ALIASES_MAX)).map { "/m\($0)" }
        #expect(HostMountTable.value("/a", aliases: four).aliases == UInt32(PC_HOST_ALIASES_MAX))
        #expect(HostMountTable.value("/a", aliases: four + ["/m9"]).aliases == UInt32(PC_HOST_ALIASES_MAX) + 1)
        #expect(HostMountTable.value("/a", aliases: [String(repeating: "x", count: 2047)]).aliases == UInt32(PC_HOST_ALIASES_MAX) + 1)
        #expect(HostMountTable.value("", aliases: []).aliases == 0)
    }

    @Test func thisHostsTableHasItsRoot() throws {
        let table = try #require(HostMountTable.current())
        // The root directory's own mount is listed, and named "" (the walk adds the "/").
        #expect(table.mounts.values.contains(""))
        #expect(!table.mounts.values.contains("/"))
        #expect(table.mounts.values.allSatisfy { $0.isEmpty || $0.hasPrefix("/") })
    }
}

/// The table's filter (pc_host_filter): the kernel looks a directory up only
/// when its key's bit is set, so every key must have it.
@Suite struct HostMountFilterTests {
    @Test func everyKeyHasItsBitAndNothingElseIsSet() {
        let roots = (0..<500).map { HostMountTable.Root(device: UInt32($0 % 7) << 20 | UInt32($0), inode: UInt64($0) * 977 + 2) }
        let words = HostMountTable.filter(of: roots)
        #expect(words.count == Int(PC_HOST_FILTER_WORDS))
        for root in roots {
            let bit = Int(pc_host_filter_bit(root.device, root.inode))
            #expect(words[bit / 64] & (1 << UInt64(bit % 64)) != 0)
        }
        let set = words.reduce(0) { $0 + $1.nonzeroBitCount }
        let distinct = Set(roots.map { pc_host_filter_bit($0.device, $0.inode) }).count
        #expect(set == distinct)
        // Spread over the bits: 500 keys in 65,536 bits collide rarely.
        #expect(distinct > 490)
        #expect(HostMountTable.filter(of: []).allSatisfy { $0 == 0 })
    }

    /// The bit is the top of the identity hash, so keys that differ in the
    /// device only, or the inode's high half only, land apart.
    @Test func theBitDependsOnTheDeviceAndTheWholeInodeNumber() {
        let root = pc_host_filter_bit(8 << 20 | 1, 2)
        #expect(pc_host_filter_bit(8 << 20 | 2, 2) != root)
        #expect(pc_host_filter_bit(8 << 20 | 1, 2 | 1 << 40) != root)
        #expect(root < 1 << PC_HOST_FILTER_BITS_LOG2)
    }
}
