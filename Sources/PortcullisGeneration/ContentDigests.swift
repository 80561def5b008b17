import Glibc
import PortcullisPolicy
import Synchronization
import SystemPackage

/// The SHA-256 of the files that literal-path deny and audit rules name: the
/// kernel then denies their content under any name (a copy, a memfd, a renamed
/// file). Each file is read once per version (device, inode, size, change and
/// modification times), whatever the paths it is named by. A path whose file is gone keeps the last digest seen
/// there until another file appears, so a denied program renamed, or a hard
/// link left behind once it is deleted, stays denied. Only the paths of the
/// last compile are remembered, so memory stays flat over any number of
/// updates. With a store (the daemon's), what is remembered is kept across
/// restarts and reboots too: a start reads again only the files that changed.
public final class ContentDigests: Sendable {
    struct Version: Hashable {
        var device: UInt64, inode: UInt64, size: Int64
        var modified: timespec, changed: timespec

        init(_ st: stat) {
            (device, inode, size) = (UInt64(st.st_dev), UInt64(st.st_ino), Int64(st.st_size))
            (modified, changed) = (st.st_mtim, st.st_ctim)
        }

        init(device: UInt64, inode: UInt64, size: Int64, modified: timespec, changed: timespec) {
            (self.device, self.inode, self.size, self.modified, self.changed) = (device, inode, size, modified, changed)
        }

        static func == (a: Version, b: Version) -> Bool {
            (a.device, a.inode, a.size) == (b.device, b.inode, b.size)
                && (a.modified.tv_sec, a.modified.tv_nsec, a.changed.tv_sec, a.changed.tv_nsec)
                    == (b.modified.tv_sec, b.modified.tv_nsec, b.changed.tv_sec, b.changed.tv_nsec)
        }

        func hash(into hasher: inout Hasher) { hasher.combine(device); hasher.combine(inode) }
    }

    /// What is known of a path: the version of the file read there, and its digest.
    struct Entry: Equatable {
        var version: Version
        var digest: ContentDigest
    }

    private struct State {
        var kept: [String: Entry] = [:]
        /// What the store holds (nil: no store).
        var stored: [String: Entry]?
        /// The last problem reported about the store (reported again only when it changes).
        var problem: String?
    }

    private let state: Mutex<State>
    private let store: ContentDigestStore?
    private let report: (@Sendable (FileProblem) -> Void)?

    /// How many files were read and hashed (tests).
    private let readCount = Atomic<Int>(0)
    var filesRead: Int { readCount.load(ordering: .relaxed) }

    public init() {
        state = Mutex(State())
        store = nil
        report = nil
    }

    /// Kept in `store` as well, starting from what it holds. A store that cannot
    /// be used (not root's, writable by others, not ours) is reported and left
    /// alone: every file is then read, as with no store. `report` hears of each
    /// problem with the store, when it first appears (reading or writing).
    public init(store: ContentDigestStore, report: @escaping @Sendable (FileProblem) -> Void) {
        var initial = State()
        do {
            initial.kept = try store.load()
            initial.stored = initial.kept
        } catch {
            initial.problem = error.description
            report(error)
        }
        state = Mutex(initial)
        self.store = store
        self.report = report
    }

    /// The daemon's when it has no store: one per process, so a recompile rereads only what changed.
    public static let shared = ContentDigests()

    /// The digest of each of `paths` that is a regular file (symlinks followed), or
    /// of the last one seen there when nothing is there now; what is not a regular
    /// file or cannot be read has none. Forgets every other path.
    public func digests(of paths: Set<String>) -> [String: ContentDigest] {
        let previous = state.withLock { $0.kept }
        // A file named by two paths (a symlink and its target) is read once.
        var byVersion = Dictionary(previous.values.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        var now: [String: Entry] = [:]
        for path in paths {
            var st = stat()
            guard stat(path, &st) == 0 else {
                if errno == ENOENT, let old = previous[path] { now[path] = old }
                continue
            }
            guard st.st_mode & S_IFMT == S_IFREG else { continue }
            let version = Version(st)
            if let known = byVersion[version] {
                now[path] = known
            } else if let read = Self.sha256(of: path) {
                readCount.add(1, ordering: .relaxed)
                let entry = Entry(version: read.version, digest: read.digest)
                now[path] = entry
                byVersion[entry.version] = entry
            }
        }
        state.withLock { $0.kept = now }
        keep(now)
        return now.mapValues(\.digest)
    }

    /// Writes `entries` to the store when they differ from what it holds.
    private func keep(_ entries: [String: Entry]) {
        guard let store, state.withLock({ $0.stored != entries }) else { return }
        do {
            try store.save(entries)
            state.withLock {
                $0.stored = entries
                $0.problem = nil
            }
        } catch {
            let new = state.withLock { state in
                defer { state.problem = error.description }
                return state.problem != error.description
            }
            if new { report?(error) }
        }
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
