import Glibc
import PortcullisSystem
import SystemPackage
import Testing

@testable import PortcullisDaemon

/// This host's cgroup2 hierarchy: a cgroup's id (name_to_handle_at, and its
/// inode number, which is the id on 64-bit kernels) is named back to its path
/// with open_by_handle_at when this process has CAP_DAC_READ_SEARCH, and
/// refused with EPERM when it does not; either way the daemon's names for a
/// decision of this process are those of /proc/self/cgroup, from the kernel.
@Suite struct CgroupHierarchyTests {
    /// Whether this process may open file handles (CAP_DAC_READ_SEARCH, bit 2 of CapEff).
    static var mayOpenHandles: Bool {
        guard let status = try? String(contentsOfProcFile: "/proc/self/status"),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
            let mask = UInt64(line.dropFirst("CapEff:".count).trimmingPrefix(while: \.isWhitespace), radix: 16)
        else { return false }
        return mask & (1 << 2) != 0
    }

    static func ownCgroup() throws -> String {
        try #require(CgroupNames.procCgroup(of: getpid()), "no 0:: line in /proc/self/cgroup")
    }

    static func hierarchy() throws -> CgroupHierarchy {
        try #require(CgroupHierarchy.find(), "no cgroup2 mount at \(CgroupHierarchy.usualMounts)")
    }

    static func inode(_ path: String) throws -> UInt64 {
        var info = stat()
        try #require(stat(path, &info) == 0, "stat \(path): errno \(errno)")
        return UInt64(info.st_ino)
    }

    @Test func ownCgroupRoundTrips() throws {
        let hierarchy = try Self.hierarchy()
        let own = try Self.ownCgroup()
        let id = try hierarchy.id(of: own)
        #expect(id != 0)
        #expect(id == (try Self.inode(hierarchy.mount + (own == "/" ? "" : own))))
        if Self.mayOpenHandles {
            #expect(try hierarchy.path(of: id) == own)
        } else {
            #expect(throws: Errno.notPermitted) { try hierarchy.path(of: id) }
        }
    }

    /// With or without the capability, the daemon names this process's cgroup
    /// from its id: resolved, or read from /proc and confirmed by the id.
    @Test func theDaemonNamesOwnCgroupFromTheKernel() throws {
        let hierarchy = try Self.hierarchy()
        let own = try Self.ownCgroup()
        let names = CgroupNames()
        let cgroup = names.cgroup(id: try hierarchy.id(of: own), tgid: getpid())
        #expect(cgroup == .init(path: own, source: .kernel))
    }

    /// A cgroup made for the test: named while it exists; once removed its id
    /// names nothing (ESTALE), which is when /proc is read instead.
    @Test func aRemovedCgroupsIdIsStale() throws {
        let hierarchy = try Self.hierarchy()
        let own = try Self.ownCgroup()
        let parent = hierarchy.mount + (own == "/" ? "" : own)
        let relative = (own == "/" ? "" : own) + "/pc-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).service"
        guard mkdir(hierarchy.mount + relative, 0o755) == 0 else {
            // Unprivileged, or a read-only hierarchy: nothing to remove. Say why.
            let reason = errno
            #expect([EACCES, EPERM, EROFS].contains(reason), "mkdir in \(parent): errno \(reason)")
            return
        }
        var removed = false
        defer { if !removed { rmdir(hierarchy.mount + relative) } }
        let id = try hierarchy.id(of: relative)
        #expect(id == (try Self.inode(hierarchy.mount + relative)))
        if Self.mayOpenHandles {
            #expect(try hierarchy.path(of: id) == relative)
        }
        #expect(rmdir(hierarchy.mount + relative) == 0)
        removed = true
        #expect(throws: Self.mayOpenHandles ? Errno.staleNFSFileHandle : Errno.notPermitted) {
            try hierarchy.path(of: id)
        }
        #expect(throws: Errno.noSuchFileOrDirectory) { try hierarchy.id(of: relative) }
    }

    @Test func anotherFileSystemIsNoHierarchy() {
        #expect(throws: Errno.operationNotSupportedByDevice) { try CgroupHierarchy(mount: "/proc") }
        #expect(throws: Errno.noSuchFileOrDirectory) { try CgroupHierarchy(mount: "/nonexistent-cgroup-mount") }
        #expect(CgroupHierarchy.find(among: ["/proc", "/nonexistent-cgroup-mount"]) == nil)
    }
}

extension String {
    /// A /proc file's text (its size is 0 to stat: read until the end).
    init(contentsOfProcFile path: String) throws {
        guard let f = fopen(path, "r") else { throw Errno(rawValue: errno) }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let n = fread(&buffer, 1, buffer.count, f), n > 0 { bytes += buffer[..<n] }
        self = String(decoding: bytes, as: UTF8.self)
    }
}
