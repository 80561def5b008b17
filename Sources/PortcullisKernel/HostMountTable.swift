import CBPF
import CPortcullisABI
import Glibc

/// The host's mount table as the kernel's host-path walk reads it (pc_host_mounts,
/// "Host paths" in portcullis_abi.h): each mount of this process's mount namespace
/// that can be reached by its mount point, keyed by its filesystem's device (the
/// kernel's dev_t) and the inode number of its root directory, mapped to its mount
/// point. The daemon runs in the host's mount namespace, so this is the host's.
public struct HostMountTable: Sendable, Equatable {
    public struct Root: Sendable, Hashable {
        public var device: UInt32
        public var inode: UInt64
    }

    /// Mount roots → mount points ("" for /).
    public var mounts: [Root: String]

    /// Mount roots → their other host paths, sorted: where else the host mounts
    /// their filesystem at that directory or one above it (a bind mount of it or
    /// of a directory above, a peer made for propagation). "" is /.
    public var aliases: [Root: [String]] = [:]

    /// Mount roots whose paths the kernel must not read by this key: a btrfs
    /// mount's superblock key. Programs loaded with the btrfs module's types never
    /// look it up (they key by subvolume); programs loaded before the module was
    /// (a btrfs mounted after the daemon's first start in this boot) do, and there
    /// every subvolume's inodes share that device: a path found by it may belong
    /// to another subvolume, so it reads as unreadable (fail closed), written as
    /// more other host paths than stored.
    public var unresolved: Set<Root> = []

    /// One line of /proc/self/mountinfo, as far as the table needs it.
    struct Entry: Equatable {
        var id: Int
        var parent: Int = 0
        var device: UInt32
        var mountPoint: String
        /// The directory of its filesystem the mount shows (mountinfo's fourth field).
        var root: String = "/"
        /// Its filesystem's type (the field after the separator "-").
        var type: String = ""
    }

    /// Reads /proc/self/mountinfo and finds each visible mount's root inode
    /// (statx of its mount point, checked against the mount id, so a mount hidden
    /// under another is left out).
    public static func current() -> HostMountTable? {
        guard let text = Self.read("/proc/self/mountinfo") else { return nil }
        var visible: [(entry: Entry, root: Root)] = []
        for entry in parse(text) {
            guard entry.mountPoint.utf8.count < Int(PC_MOUNT_POINT_MAX),
                let (inode, statDevice) = rootInode(entry.mountPoint, mountID: entry.id)
            else { continue }
            visible += roots(of: entry, inode: inode, statDevice: statDevice).map { (entry, $0) }
        }
        return HostMountTable(visible: visible)
    }

    /// The keys a mount's root is found by. Its filesystem's device (the
    /// superblock's) and its root's inode number; on btrfs also its subvolume's
    /// device (what stat(2) gives), since every subvolume numbers its inodes
    /// afresh (each one's root is inode 256): the kernel's walk keys a btrfs
    /// directory by its subvolume's device when the programs were loaded with the
    /// btrfs module's types, else by the superblock's (where subvolumes mounted
    /// apart collide, the first mounted naming them).
    static func roots(of entry: Entry, inode: UInt64, statDevice: UInt32) -> [Root] {
        let root = Root(device: entry.device, inode: inode)
        guard entry.type == "btrfs", statDevice != entry.device else { return [root] }
        return [root, Root(device: statDevice, inode: inode)]
    }

    /// The table of the visible mounts, in mountinfo's order, each with its root.
    init(visible: [(entry: Entry, root: Root)]) {
        var mounts: [Root: String] = [:]
        var naming: [Root: Entry] = [:]
        for (entry, root) in visible where mounts[root] == nil {
            // Two mounts of one directory (a bind mount): the first mounted names it.
            mounts[root] = Self.point(entry.mountPoint)
            naming[root] = entry
        }
        // Its other host paths: each other visible mount of the filesystem whose
        // root is that directory or one above it shows it too.
        let byDevice = Dictionary(grouping: visible.map(\.entry), by: \.device)
        var aliases: [Root: [String]] = [:]
        for (root, named) in naming {
            var paths: Set<String> = []
            for other in byDevice[named.device] ?? [] where other.id != named.id {
                guard let below = Self.relative(named.root, under: other.root) else { continue }
                paths.insert(Self.point(other.mountPoint) + below)
            }
            paths.remove(mounts[root] ?? "")
            if !paths.isEmpty { aliases[root] = paths.sorted() }
        }
        self.mounts = mounts
        self.aliases = aliases
        // A btrfs mount found by two keys: the superblock's is the unresolved one.
        let keyed = Dictionary(grouping: visible, by: \.entry.id)
        self.unresolved = Set(
            keyed.values.filter { $0.count > 1 }.flatMap { $0 }
                .filter { $0.entry.type == "btrfs" && $0.root.device == $0.entry.device }.map(\.root))
    }

    public init(mounts: [Root: String], aliases: [Root: [String]] = [:]) {
        self.mounts = mounts
        self.aliases = aliases
    }

    /// Whether the host shows the file at `path` (a host path) at other paths too,
    /// as the kernel's walk finds it: the mount point or other host path in the
    /// table that holds `path` most closely belongs to a root that has other
    /// host paths (or more than the kernel stores).
    public func showsElsewhere(_ path: String) -> Bool {
        var closest: (length: Int, root: Root)?
        func consider(_ point: String, _ root: Root) {
            guard point.isEmpty || path == point || path.hasPrefix(point + "/") else { return }
            if closest == nil || point.utf8.count > closest!.length { closest = (point.utf8.count, root) }
        }
        for (root, point) in mounts {
            consider(point, root)
            for alias in aliases[root] ?? [] { consider(alias, root) }
        }
        guard let closest else { return false }
        return !(aliases[closest.root] ?? []).isEmpty
    }

    /// A mount point as the kernel's table holds it: "" for /.
    static func point(_ mountPoint: String) -> String { mountPoint == "/" ? "" : mountPoint }

    /// `directory` below `top` (both paths on one filesystem, as mountinfo's
    /// fourth field gives them): "" when they are the same, "/a/b" when it is
    /// top's a/b, nil when it is not under top.
    static func relative(_ directory: String, under top: String) -> String? {
        if directory == top { return "" }
        if top == "/" { return directory.hasPrefix("/") ? directory : nil }
        return directory.hasPrefix(top + "/") ? String(directory.dropFirst(top.count)) : nil
    }

    /// The entries of mountinfo `text`, in order; malformed lines are skipped.
    static func parse(_ text: String) -> [Entry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count >= 5, let id = Int(fields[0]), let parent = Int(fields[1]) else { return nil }
            let numbers = fields[2].split(separator: ":")
            guard numbers.count == 2, let major = UInt32(numbers[0]), let minor = UInt32(numbers[1]) else { return nil }
            // The optional fields end at "-"; the filesystem's type follows.
            let separator = fields.dropFirst(6).firstIndex(of: "-")
            let type = separator.flatMap { $0 + 1 < fields.count ? String(fields[$0 + 1]) : nil } ?? ""
            // The kernel's dev_t: 12 bits of major, 20 of minor (include/linux/kdev_t.h).
            return Entry(
                id: id, parent: parent, device: major << 20 | minor, mountPoint: unescape(fields[4]), root: unescape(fields[3]),
                type: type)
        }
    }

    /// The mount that holds `path` (the last one mounted on the longest mount point
    /// above it) and the mounts above that one, up to the root: their entries, in
    /// that order, from mountinfo `text`.
    static func chain(holding path: String, in text: String) -> [Entry] {
        let entries = parse(text)
        func holds(_ mountPoint: String) -> Bool {
            mountPoint == "/" || path == mountPoint || path.hasPrefix(mountPoint + "/")
        }
        guard var current = entries.filter({ holds($0.mountPoint) }).max(by: { $0.mountPoint.count <= $1.mountPoint.count })
        else { return [] }
        var chain = [current]
        while let parent = entries.first(where: { $0.id == current.parent && $0.id != current.id }),
            !chain.contains(parent)
        {
            chain.append(parent)
            current = parent
        }
        return chain
    }

    /// mountinfo escapes space, tab, newline and backslash as \ and three octal digits.
    static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3,
                let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The inode number of the root of mount `mountID`, by its mount point, and the
    /// device stat(2) gives it; nil when the mount point leads to another mount (it
    /// is hidden) or cannot be read.
    static func rootInode(_ mountPoint: String, mountID: Int) -> (inode: UInt64, statDevice: UInt32)? {
        var inode: UInt64 = 0
        var device: UInt32 = 0
        guard portcullis_mount_root_inode(mountPoint, UInt64(mountID), &inode, &device) == 0 else { return nil }
        return (inode, device)
    }

    static func read(_ path: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n == 0 { break }
            bytes += buffer[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the table to the map `fd` and its filter to the map `filter`
    /// ("Host paths" in portcullis_abi.h): the bits of the new keys set, then
    /// entries added or changed, then those gone removed, then the bits only
    /// they had cleared. The filter holds every key the map holds at every step.
    public func write(to fd: Int32, filter: Int32, replacing previous: HostMountTable?) throws(BPFError) {
        let wanted = Self.filter(of: Array(mounts.keys))
        let inForce = try Self.cover(wanted, filter: filter)
        for (root, mountPoint) in mounts
        where previous?.mounts[root] != mountPoint || previous?.aliases[root] != aliases[root]
            || previous?.unresolved.contains(root) != unresolved.contains(root)
        {
            var key = Self.key(root)
            var value = Self.value(mountPoint, aliases: aliases[root] ?? [], unreadable: unresolved.contains(root))
            try check("writing the host mount table", bpf_map_update_elem(fd, &key, &value, UInt64(BPF_ANY)))
        }
        let gone = previous.map { Array($0.mounts.keys.filter { mounts[$0] == nil }) } ?? Self.keys(in: fd).filter { mounts[$0] == nil }
        var removed = true
        for root in gone {
            var key = Self.key(root)
            if bpf_map_delete_elem(fd, &key) != 0 && errno != ENOENT { removed = false }
        }
        // A key still in the map keeps its bit.
        if removed && wanted != inForce { try Self.writeFilter(wanted, to: filter) }
    }

    /// Sets the bits of the keys the map `fd` holds in the map `filter`: before
    /// programs that read the filter attach to a table an earlier build wrote.
    public static func coverKeys(in fd: Int32, filter: Int32) throws(BPFError) {
        _ = try cover(Self.filter(of: keys(in: fd)), filter: filter)
    }

    /// Sets the bits of `words` in the map `filter`; returns its words after.
    static func cover(_ words: [UInt64], filter: Int32) throws(BPFError) -> [UInt64] {
        let inForce = try readFilter(filter)
        let both = zip(inForce, words).map { $0 | $1 }
        if both != inForce { try writeFilter(both, to: filter) }
        return both
    }

    /// The filter's words for `roots`: bit pc_host_filter_bit of each set.
    static func filter(of roots: [Root]) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: Int(PC_HOST_FILTER_WORDS))
        for root in roots {
            let bit = Int(pc_host_filter_bit(root.device, root.inode))
            words[bit >> 6] |= 1 << UInt64(bit & 63)
        }
        return words
    }

    static func readFilter(_ fd: Int32) throws(BPFError) -> [UInt64] {
        var key: UInt32 = 0
        var words = [UInt64](repeating: 0, count: Int(PC_HOST_FILTER_WORDS))
        let rc = words.withUnsafeMutableBytes { bpf_map_lookup_elem(fd, &key, $0.baseAddress) }
        try check("reading the host mount table's filter", rc)
        return words
    }

    static func writeFilter(_ words: [UInt64], to fd: Int32) throws(BPFError) {
        var key: UInt32 = 0
        let rc = words.withUnsafeBytes { bpf_map_update_elem(fd, &key, $0.baseAddress, UInt64(BPF_ANY)) }
        try check("writing the host mount table's filter", rc)
    }

    /// The map's value: the mount point, then its aliases, each after the one
    /// before, when there are at most PC_HOST_ALIASES_MAX and they all fit; else,
    /// or when the root is `unreadable`, they are counted as more than stored (the
    /// kernel then cannot read a path under that mount when a rule could name it:
    /// fail closed).
    static func value(_ mountPoint: String, aliases: [String], unreadable: Bool = false) -> pc_mount_point {
        var value = pc_mount_point()
        var bytes = Array(mountPoint.utf8)
        value.length = UInt32(bytes.count)
        let stored = aliases.map { Array($0.utf8) }
        let fits = bytes.count + stored.reduce(0) { $0 + $1.count } < Int(PC_MOUNT_POINT_MAX)
        if stored.count <= Int(PC_HOST_ALIASES_MAX) && fits && !unreadable {
            value.aliases = UInt32(stored.count)
            withUnsafeMutableBytes(of: &value.alias) { raw in
                let slots = raw.bindMemory(to: pc_mount_alias.self)
                for (k, alias) in stored.enumerated() {
                    slots[k] = pc_mount_alias(start: UInt32(bytes.count), length: UInt32(alias.count))
                    bytes += alias
                }
            }
        } else {
            value.aliases = UInt32(PC_HOST_ALIASES_MAX) + 1
        }
        withUnsafeMutableBytes(of: &value.path) { raw in raw.copyBytes(from: bytes) }
        return value
    }

    static func key(_ root: Root) -> pc_mount_root {
        var key = pc_mount_root()
        key.dev = root.device
        key.ino = root.inode
        return key
    }

    /// The roots the map holds (after a restart, what the last daemon wrote).
    static func keys(in fd: Int32) -> [Root] {
        var roots: [Root] = []
        var key = pc_mount_root()
        var next = pc_mount_root()
        var first = true
        while (first ? bpf_map_get_next_key(fd, nil, &next) : bpf_map_get_next_key(fd, &key, &next)) == 0 {
            roots.append(Root(device: next.dev, inode: next.ino))
            key = next
            first = false
        }
        return roots
    }
}
