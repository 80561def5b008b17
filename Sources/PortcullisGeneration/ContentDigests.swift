import Glibc
import PortcullisPolicy
import Synchronization
import SystemPackage

/// The SHA-256 of the files that literal-path deny and audit rules name: the
/// kernel then denies their content under any name (a copy, a memfd, a renamed
/// file). Each file is read once per version (device, inode, size, change and
/// modification times). A path whose file is gone keeps the last digest seen
/// there until another file appears, so a denied program renamed, or a hard
/// link left behind once it is deleted, stays denied (while the daemon runs).
/// Only the paths of the last compile are remembered, so memory stays flat
/// over any number of updates.
public final class ContentDigests: Sendable {
    struct Version: Hashable {
        var device: UInt64, inode: UInt64, size: Int64
        var modified: timespec, changed: timespec

        init(_ st: stat) {
            (device, inode, size) = (UInt64(st.st_dev), UInt64(st.st_ino), Int64(st.st_size))
            (modified, changed) = (st.st_mtim, st.st_ctim)
        }

        static func == (a: Version, b: Version) -> Bool {
            (a.device, a.inode, a.size) == (b.device, b.inode, b.size)
                && (a.modified.tv_sec, a.modified.tv_nsec, a.changed.tv_sec, a.changed.tv_nsec)
                    == (b.modified.tv_sec, b.modified.tv_nsec, b.changed.tv_sec, b.changed.tv_nsec)
        }

        func hash(into hasher: inout Hasher) { hasher.combine(device); hasher.combine(inode) }
    }

    private let kept = Mutex<[String: (version: Version, digest: ContentDigest)]>([:])

    public init() {}

    /// The daemon's: one per process, so a recompile rereads only what changed.
    public static let shared = ContentDigests()

    /// The digest of each of `paths` that is a regular file (symlinks followed), or
    /// of the last one seen there when nothing is there now; what is not a regular
    /// file or cannot be read has none. Forgets every other path.
    public func digests(of paths: Set<String>) -> [String: ContentDigest] {
        let previous = kept.withLock { $0 }
        var now: [String: (version: Version, digest: ContentDigest)] = [:]
        for path in paths {
            var st = stat()
            guard stat(path, &st) == 0 else {
                if errno == ENOENT, let old = previous[path] { now[path] = old }
                continue
            }
            guard st.st_mode & S_IFMT == S_IFREG else { continue }
            let version = Version(st)
            if let old = previous[path], old.version == version {
                now[path] = old
            } else if let read = Self.sha256(of: path) {
                now[path] = read
            }
        }
        kept.withLock { $0 = now }
        return now.mapValues(\.digest)
    }

    /// The SHA-256 of the regular file at `path` (symlinks followed), as the kernel
    /// computes it; nil when it cannot be read.
    public static func sha256(ofFile path: String) -> ContentDigest? { sha256(of: path)?.digest }

    /// The SHA-256 of the regular file at `path` and the version it was read
    /// from; nil when it cannot be read, or changed while it was read.
    static func sha256(of path: String) -> (version: Version, digest: ContentDigest)? {
        guard let fd = try? FileDescriptor.open(path, .readOnly, options: [.nonBlocking, .closeOnExec, FileDescriptor.OpenOptions(rawValue: O_NOCTTY)])
        else { return nil }
        defer { try? fd.close() }
        var before = stat()
        guard fstat(fd.rawValue, &before) == 0, before.st_mode & S_IFMT == S_IFREG else { return nil }
        guard let stream = SHA256Stream() else { return nil }
        // Reads of up to 1 MB; a small file, the usual denied tool, gets a buffer of its size.
        var buffer = [UInt8](repeating: 0, count: Int(min(max(before.st_size + 1, 4096), 1 << 20)))
        while true {
            let count: Int
            do {
                count = try buffer.withUnsafeMutableBytes { try fd.read(into: $0) }
            } catch {
                return nil
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { stream.update(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
        guard let bytes = stream.finish(), bytes.count == ContentDigest.byteCount else { return nil }
        var after = stat()
        guard fstat(fd.rawValue, &after) == 0, Version(after) == Version(before) else { return nil }
        return ContentDigest(bytes: bytes).map { (Version(before), $0) }
    }
}
