import Glibc
import PortcullisJournal
import PortcullisSystem
import SystemPackage

/// What names a cgroup v2 id and checks a path against one: the cgroup2 mount
/// (CgroupHierarchy), or a stand-in in host tests.
protocol CgroupLookup: AnyObject {
    func path(of id: UInt64) throws(Errno) -> String
    func id(of path: String) throws(Errno) -> UInt64
}

extension CgroupHierarchy: CgroupLookup {}

/// The cgroup of a decision, from the kernel's record of the task at the
/// decision: the event's cgroup id, named through the cgroup2 mount. The names
/// of the last `capacity` ids are kept (ids are never reused while the system
/// runs), so memory stays flat however many cgroups come and go.
///
/// When the id names nothing any more (its cgroup was removed) or cannot be
/// asked (no CAP_DAC_READ_SEARCH, no cgroup2 mount), the process's cgroup is
/// read from /proc/PID/cgroup instead: the kernel's, still, when that path's id
/// is the event's; `proc` when the path's cgroup is gone too; nothing when it is
/// another cgroup (the process moved since, or its PID is another's now).
final class CgroupNames {
    struct Cgroup: Equatable {
        var path: String
        var source: Decision.CgroupSource
    }

    static let defaultCapacity = 128
    let capacity: Int
    private let open: () -> (any CgroupLookup)?
    private var opened: (any CgroupLookup)??
    private let processCgroup: (Int32) -> String?
    private var paths: [UInt64: String] = [:]
    /// The ids in `paths`, oldest first from `oldest`: the next one let go.
    private var order: [UInt64] = []
    private var oldest = 0

    /// `lookup`: opened at the first decision (by default the cgroup2 mount);
    /// `processCgroup`: the cgroup v2 path /proc gives a process (by default
    /// the `0::` line of /proc/PID/cgroup).
    init(
        capacity: Int = defaultCapacity, lookup: @escaping () -> (any CgroupLookup)? = { CgroupHierarchy.find() },
        processCgroup: @escaping (Int32) -> String? = CgroupNames.procCgroup(of:)
    ) {
        self.capacity = max(1, capacity)
        open = lookup
        self.processCgroup = processCgroup
    }

    /// The ids whose paths are kept, oldest first.
    var remembered: [UInt64] { Array(order[oldest...] + order[..<oldest]) }

    /// The cgroup of the task `tgid` whose cgroup the kernel recorded as `id`
    /// at a decision; nil when neither the id nor /proc can say (or id is 0:
    /// the kernel had none).
    func cgroup(id: UInt64, tgid: Int32) -> Cgroup? {
        guard id != 0 else { return nil }
        if let path = paths[id] { return Cgroup(path: path, source: .kernel) }
        let lookup = self.lookup
        if let path = try? lookup?.path(of: id) {
            remember(path, for: id)
            return Cgroup(path: path, source: .kernel)
        }
        guard let path = processCgroup(tgid) else { return nil }
        guard let lookup else { return Cgroup(path: path, source: .proc) }
        do {
            guard try lookup.id(of: path) == id else { return nil }
        } catch {
            return Cgroup(path: path, source: .proc)
        }
        remember(path, for: id)
        return Cgroup(path: path, source: .kernel)
    }

    private var lookup: (any CgroupLookup)? {
        if let opened { return opened }
        let lookup = open()
        opened = .some(lookup)
        return lookup
    }

    private func remember(_ path: String, for id: UInt64) {
        if order.count < capacity {
            order.append(id)
        } else {
            paths[order[oldest]] = nil
            order[oldest] = id
            oldest = (oldest + 1) % capacity
        }
        paths[id] = path
    }

    /// The cgroup v2 path of a process, from /proc/PID/cgroup; nil when it is gone.
    static func procCgroup(of pid: Int32) -> String? {
        guard let f = fopen("/proc/\(pid)/cgroup", "r") else { return nil }
        defer { fclose(f) }
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n == 0 { break }
            text += buffer[..<n]
        }
        return v2Path(String(decoding: text, as: UTF8.self))
    }

    /// The path of the `0::` line of a /proc/PID/cgroup text (cgroup v2, alone
    /// or beside v1 hierarchies), without the ` (deleted)` the kernel adds for a
    /// removed cgroup; nil when there is none.
    static func v2Path(_ text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("0::/") {
            let path = line.dropFirst(3)
            return String(path.hasSuffix(" (deleted)") ? path.dropLast(" (deleted)".count) : path)
        }
        return nil
    }

    /// The kinds of units systemd gives a cgroup of their own.
    static let unitSuffixes = [".service", ".scope", ".slice", ".socket", ".mount", ".swap"]

    /// The systemd unit of a cgroup path: its last unit-like component.
    static func unit(ofPath path: String) -> String? {
        path.split(separator: "/").reversed().first { part in
            unitSuffixes.contains { part.count > $0.count && part.hasSuffix($0) }
        }.map(String.init)
    }
}
