import Glibc
import PortcullisPolicy
import SystemPackage

/// ContentDigests kept across the daemon's restarts and reboots: the file
/// `content-digests` in its cache directory (`/var/cache/portcullis`, systemd's
/// CacheDirectory=). A start then reads again only the files that changed
/// while it was stopped, and a denied program renamed or deleted before a
/// restart keeps its last digest. An entry is used only for a file of exactly
/// its version (device, inode, size, modification and change times; a change
/// time no one but the kernel sets), and the store is trusted as the policy
/// files are: the directory and the file root's and writable by nobody else,
/// the file regular, read through no symlink. Anything else is not used at all.
///
/// One line per path: `SHA256 DEVICE INODE SIZE MTIME_S MTIME_NS CTIME_S CTIME_NS PATH`,
/// after a first line naming the format.
public struct ContentDigestStore: Sendable {
    public static let defaultDirectory = "/var/cache/portcullis"
    static let header = "portcullis content digests 1"
    /// A bound on what is read (a line is about 150 bytes: some 100,000 paths).
    static let maxBytes = 16 << 20

    public let directory: String
    public var path: String { directory + "/content-digests" }

    public init(directory: String = ContentDigestStore.defaultDirectory) { self.directory = directory }

    /// What the store holds; empty when there is no file yet. Creates the
    /// directory (mode 0700) when it is missing.
    func load() throws(FileProblem) -> [String: ContentDigests.Entry] {
        try FileTrust.createDirectory(directory, purpose: "cache directory")
        let reader = WholeFile(maxBytes: Self.maxBytes, noFollow: true, rootOwned: true)
        let bytes: [UInt8]?
        do {
            bytes = try reader.readIfPresent(path)
        } catch {
            throw FileProblem(path, error.message + "; not used")
        }
        guard let bytes else { return [:] }
        return try Self.decode(bytes[...], path: path)
    }

    /// Replaces what the store holds with `entries` (a new file, synced, renamed
    /// over the old one, mode 0600). A path with a line feed is left out.
    func save(_ entries: [String: ContentDigests.Entry]) throws(FileProblem) {
        try FileTrust.createDirectory(directory, purpose: "cache directory")
        let temporary = path + ".new"
        let text = Self.encode(entries)
        do {
            let fd = try FileDescriptor.open(
                temporary, .writeOnly, options: [.create, .truncate, .closeOnExec, .noFollow],
                permissions: [.ownerReadWrite])
            try fd.closeAfter {
                // A file left by someone else (another mode, another owner) is not written through.
                var st = stat()
                guard fstat(fd.rawValue, &st) == 0, st.st_uid == geteuid(), st.st_mode & 0o077 == 0 else {
                    throw Errno.permissionDenied
                }
                _ = try fd.writeAll(text.utf8)
                // On disk before the rename: after a crash the store is the old one or this one, whole.
                guard fsync(fd.rawValue) == 0 else { throw Errno(rawValue: errno) }
            }
        } catch {
            throw FileProblem(temporary, errno: (error as? Errno)?.rawValue, "cannot write")
        }
        guard rename(temporary, path) == 0 else { throw FileProblem(path, errno: errno, "cannot replace") }
    }

    static func encode(_ entries: [String: ContentDigests.Entry]) -> String {
        var text = header + "\n"
        for (path, entry) in entries.sorted(by: { $0.key < $1.key }) where !path.contains("\n") {
            let v = entry.version
            text += "\(entry.digest.hex) \(v.device) \(v.inode) \(v.size) "
            text += "\(v.modified.tv_sec) \(v.modified.tv_nsec) \(v.changed.tv_sec) \(v.changed.tv_nsec) \(path)\n"
        }
        return text
    }

    /// The entries of a store's text; any line that does not read whole makes
    /// the whole store unusable (named by its line).
    static func decode(_ bytes: ArraySlice<UInt8>, path: String) throws(FileProblem) -> [String: ContentDigests.Entry] {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard lines.first.map({ String(decoding: $0, as: UTF8.self) }) == header else {
            throw FileProblem(path, "line 1: not a content digest store (expected \"\(header)\"); not used")
        }
        var entries: [String: ContentDigests.Entry] = [:]
        for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 8, omittingEmptySubsequences: false)
            let text = fields.map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == 9, let digest = ContentDigest(hex: text[0]),
                let device = UInt64(text[1]), let inode = UInt64(text[2]), let size = Int64(text[3]), size >= 0,
                let modified = timespec(text[4], text[5]), let changed = timespec(text[6], text[7]),
                text[8].hasPrefix("/"), entries[text[8]] == nil
            else {
                throw FileProblem(path, "line \(index + 1): not a content digest entry; the store is not used")
            }
            let version = ContentDigests.Version(
                device: device, inode: inode, size: size, modified: modified, changed: changed)
            entries[text[8]] = ContentDigests.Entry(version: version, digest: digest)
        }
        return entries
    }
}

extension timespec {
    /// Seconds and nanoseconds as a store writes them; nil for anything else.
    fileprivate init?(_ seconds: String, _ nanoseconds: String) {
        guard let s = Int(seconds), let ns = Int(nanoseconds), (0..<1_000_000_000).contains(ns) else { return nil }
        self.init(tv_sec: s, tv_nsec: ns)
    }
}
