import Glibc
import PortcullisSelftest

/// The cgroups the differential selftest runs events in (DifferentialPlan.cgroups),
/// created under the cgroup2 mount at `root` (the root of the hierarchy) and
/// removed at the end; an open descriptor of each, for CLONE_INTO_CGROUP.
final class SelftestCgroups {
    let root: String
    /// This process's cgroup v2 path (/proc/self/cgroup), if it could be read.
    let own: String?
    private var created: [String] = []
    private var descriptors: [String: Int32] = [:]

    init(root: String, paths: [String]) throws {
        self.root = root
        let line = (try? SelftestFiles.read("/proc/self/cgroup")).map { String(decoding: $0, as: UTF8.self) }
        own = line?.split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) }
        guard SelftestFiles.exists("\(root)/cgroup.procs") else {
            throw SelftestFailure("no cgroup2 hierarchy at \(root) (mount -t cgroup2 none \(root))")
        }
        // The root of the hierarchy has no cgroup.type; a cgroup (namespace) below it has.
        guard !SelftestFiles.exists("\(root)/cgroup.type") else {
            throw SelftestFailure("\(root) is not the root of the cgroup2 hierarchy: its paths are not the kernel's")
        }
        do {
            for path in paths {
                let directory = path == "/" ? root : root + path
                if !SelftestFiles.exists(directory) {
                    try SelftestFiles.makeDirectory(directory)
                    created.append(directory)
                }
                let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                guard fd >= 0 else { throw SelftestFiles.failure("opening \(directory)") }
                descriptors[path] = fd
            }
        } catch {
            remove()
            throw error
        }
    }

    func descriptor(_ path: String) throws -> Int32 {
        guard let fd = descriptors[path] else { throw SelftestFailure("no cgroup \(path) was created") }
        return fd
    }

    /// The cgroup `path`'s descriptor; nil: this process's own cgroup (opened once, kept).
    func descriptor(_ path: String?) throws -> Int32 {
        if let path { return try descriptor(path) }
        guard let own else { throw SelftestFailure("this process's cgroup is unknown") }
        if let fd = descriptors[own] { return fd }
        let fd = open(own == "/" ? root : root + own, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SelftestFiles.failure("opening its own cgroup \(own)") }
        descriptors[own] = fd
        return fd
    }

    /// Closes the descriptors and removes the cgroups created (children first); the
    /// events' programs have all been reaped.
    func remove() {
        for fd in descriptors.values { close(fd) }
        descriptors = [:]
        for directory in created.reversed() { rmdir(directory) }
        created = []
    }
}
