import CLinux
import Glibc
import SystemPackage

/// The cgroup v2 hierarchy as mounted here, naming cgroups by the kernel's ids
/// (what bpf_get_current_cgroup_id returns): a cgroup's id is the id of its
/// kernfs node, which a file handle of type FILEID_KERNFS names. Paths are from
/// the root of the mount (`/system.slice/nginx.service`; `/` is the root), as
/// in the `0::` line of /proc/PID/cgroup.
public final class CgroupHierarchy: Sendable {
    /// Where cgroup2 is mounted: alone (the unified layout), or beside the v1
    /// controllers (the hybrid layout).
    public static let usualMounts = ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"]
    /// CGROUP2_SUPER_MAGIC (linux/magic.h).
    static let superMagic = 0x6367_7270

    /// The mount's directory as this process's /proc names it.
    public let mount: String
    private let descriptor: FileDescriptor

    /// The cgroup2 file system mounted at `mount`: ENODEV when what is
    /// there is another file system.
    public init(mount: String) throws(Errno) {
        let descriptor = FileDescriptor(
            rawValue: try syscallRetryingInterrupts { open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC) })
        do throws(Errno) {
            var info = statfs()
            _ = try syscallRetryingInterrupts { fstatfs(descriptor.rawValue, &info) }
            guard info.f_type == Self.superMagic else { throw Errno.operationNotSupportedByDevice }
            self.mount = try Self.path(of: descriptor)
        } catch {
            try? descriptor.close()
            throw error
        }
        self.descriptor = descriptor
    }

    deinit { try? descriptor.close() }

    /// The first of `mounts` where cgroup2 is mounted; nil when none is.
    public static func find(among mounts: [String] = usualMounts) -> CgroupHierarchy? {
        for mount in mounts {
            if let hierarchy = try? CgroupHierarchy(mount: mount) { return hierarchy }
        }
        return nil
    }

    /// The path of the cgroup whose id is `id`. Throws ESTALE when no cgroup has
    /// that id (any more: it was removed), EPERM without CAP_DAC_READ_SEARCH, and
    /// ENOENT when the cgroup is outside this mount (another cgroup namespace's root).
    public func path(of id: UInt64) throws(Errno) -> String {
        var handle = clinux_kernfs_handle(handle_bytes: 8, handle_type: CLINUX_FILEID_KERNFS, id: id)
        let opened = FileDescriptor(
            rawValue: try syscallRetryingInterrupts {
                clinux_open_by_handle_at(descriptor.rawValue, &handle, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            })
        defer { try? opened.close() }
        let full = try Self.path(of: opened)
        // Removed between the open and the readlink.
        if full.hasSuffix(" (deleted)") { throw Errno.staleNFSFileHandle }
        if full == mount { return "/" }
        guard full.hasPrefix(mount + "/") else { throw Errno.noSuchFileOrDirectory }
        return String(full.dropFirst(mount.count))
    }

    /// The id of the cgroup at `path` (from the root of the mount, `/` for the
    /// root). No privilege needed beyond reaching the directory.
    public func id(of path: String) throws(Errno) -> UInt64 {
        guard path.hasPrefix("/") else { throw Errno.invalidArgument }
        var handle = clinux_kernfs_handle(handle_bytes: 8, handle_type: 0, id: 0)
        var mountID: Int32 = 0
        _ = try syscallRetryingInterrupts {
            clinux_name_to_handle_at(descriptor.rawValue, "." + path, &handle, &mountID, 0)
        }
        guard handle.handle_type == CLINUX_FILEID_KERNFS, handle.handle_bytes == 8 else {
            throw Errno.notSupported
        }
        return handle.id
    }

    /// What /proc/self/fd says an open descriptor is.
    static func path(of descriptor: FileDescriptor) throws(Errno) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let link = "/proc/self/fd/\(descriptor.rawValue)"
        let n = try syscallRetryingInterrupts { readlink(link, &buffer, buffer.count - 1) }
        guard n < buffer.count - 1 else { throw Errno.fileNameTooLong }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
