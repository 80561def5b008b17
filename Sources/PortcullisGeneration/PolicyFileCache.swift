import Glibc
import PortcullisPolicy

/// The policy files of the last read of a directory, parsed, by path. A file
/// whose status is unchanged (device, inode, size, modification and change
/// times: a write, a rename over it, a chmod or chown all change one) is not
/// read or parsed again; its ownership and mode were checked with the same
/// status. Only the files of the last read are kept. When the host's critical
/// files change (CriticalFiles: an upgrade of init or a library), every file is
/// read again, since each was checked against them.
public struct PolicyFileCache: Sendable {
    struct Key: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int64  // ns
        var changed: Int64  // ns
    }

    private var files: [String: (key: Key, file: PolicyFile)] = [:]
    /// The version of the critical set the kept files were checked against.
    private var critical: UInt64?
    /// Files read (not reused) by the last read.
    public private(set) var lastReads = 0

    public init() {}

    /// The files of `directory` (as `PolicyDirectory.read`), reusing those unchanged since the last read.
    public mutating func read(_ directory: PolicyDirectory) throws(FileProblem) -> [PolicyFile] {
        let paths = try directory.filePaths()
        let version = CriticalFilesCache.host.versioned().version
        if version != critical { (files, critical) = ([:], version) }
        var kept: [String: (key: Key, file: PolicyFile)] = [:]
        lastReads = 0
        let read = paths.map { path in
            let key = Self.key(path)
            if let key, let cached = files[path], cached.key == key {
                kept[path] = cached
                return cached.file
            }
            lastReads += 1
            let file = PolicyDirectory.readFile(at: path, requireTrusted: directory.requireTrusted, ancestorsTrusted: true)
            if let key { kept[path] = (key, file) }
            return file
        }
        files = kept
        return read
    }

    static func key(_ path: String) -> Key? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Key(
            device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
            modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
            changed: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec))
    }
}
