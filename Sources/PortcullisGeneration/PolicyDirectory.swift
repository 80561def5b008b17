import Glibc
import PortcullisPolicy

/// The policy drop-in directories, as systemd reads its own: the admin's
/// (`/etc/policies.d`) and the vendor's (`/usr/lib/portcullis/policies.d`,
/// where packages ship policies). Files are taken by name from both, in
/// lexical order of name; a file in the admin's directory overrides the
/// vendor's file of the same name, and an entry that is a symlink to /dev/null
/// masks it (and is no policy itself).
public struct PolicyDirectory: Sendable {
    /// The admin's directory.
    public var path: String
    /// The vendor's directory; missing is the same as empty.
    public var vendorPath: String?
    /// Refuse files and directories not owned by root or writable by group or
    /// others, or under a directory that is, as sudo and sshd do. Off only for
    /// `portcullis check` on files being written.
    public var requireTrusted: Bool
    public static let maxFileSize = 1 << 20
    public static let defaultVendorPath = "/usr/lib/portcullis/policies.d"

    public init(path: String, vendorPath: String? = nil, requireTrusted: Bool = true) {
        self.path = path
        self.vendorPath = vendorPath == path ? nil : vendorPath
        self.requireTrusted = requireTrusted
    }

    /// Whether a directory entry is a policy file: `*.yaml`/`*.yml`, skipping dotfiles,
    /// editor leftovers and package-manager temporaries.
    public static func isPolicyFile(_ name: String) -> Bool {
        guard name.hasSuffix(".yaml") || name.hasSuffix(".yml") else { return false }
        if name.hasPrefix(".") || name.hasSuffix("~") { return false }
        for marker in [".dpkg-", ".ucf-", ".swp"] where name.contains(marker) { return false }
        return true
    }

    /// Every policy file, in lexical order of name, each read and parsed.
    public func read() throws(FileProblem) -> [PolicyFile] {
        try filePaths().map { Self.readFile(at: $0, requireTrusted: requireTrusted, ancestorsTrusted: true) }
    }

    /// The paths of the policy files, in lexical order of name (the directories
    /// checked first): the vendor's, each overridden by the admin's file of the
    /// same name, and without the masked ones.
    func filePaths() throws(FileProblem) -> [String] {
        var byName: [String: String] = [:]
        if let vendorPath, let names = try names(in: vendorPath, missingIsEmpty: true) {
            for name in names { byName[name] = Self.path(of: name, in: vendorPath) }
        }
        for name in try names(in: path, missingIsEmpty: false) ?? [] { byName[name] = Self.path(of: name, in: path) }
        return byName.keys.sorted().compactMap { name in
            let entry = byName[name]!
            return Self.isMask(entry) ? nil : entry
        }
    }

    /// The policy file names in `directory` (checked first when trusted); nil when it is missing and that is allowed.
    private func names(in directory: String, missingIsEmpty: Bool) throws(FileProblem) -> [String]? {
        if missingIsEmpty, access(directory, F_OK) != 0, errno == ENOENT { return nil }
        if requireTrusted { try FileTrust.check(directory, directory: true) }
        guard let dir = opendir(directory) else {
            throw FileProblem(directory, errno: errno, "cannot open the directory")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if Self.isPolicyFile(name) { names.append(name) }
        }
        return names
    }

    /// The device number of /dev/null (character device 1:3), as glibc's makedev encodes it.
    static let devNull: UInt = (1 << 8) | 3

    /// An entry that is /dev/null (a symlink to it, as `systemctl mask` makes): it masks its name.
    static func isMask(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFCHR && st.st_rdev == Self.devNull
    }

    /// Whether `path` names an entry of any kind (not followed: a symlink to nowhere is one).
    public static func hasEntry(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// Whether `path` is a directory (symlinks followed).
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    /// The path of the entry `name` of the admin's directory, as `read` names its files.
    public func path(of name: String) -> String { Self.path(of: name, in: path) }

    static func path(of name: String, in directory: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// One file, parsed; a file that cannot be read becomes a file with one error.
    /// `ancestorsTrusted`: its directory was checked already (then only a
    /// symlink, whose real directories may lie elsewhere, has them checked).
    public static func readFile(at path: String, requireTrusted: Bool, ancestorsTrusted: Bool = false) -> PolicyFile {
        do {
            if requireTrusted {
                try FileTrust.check(path, directory: false, ancestorsTrusted: ancestorsTrusted && !isSymlink(path))
            }
            // The descriptor read is checked too: what was opened is what was judged.
            return PolicyFileReader.read(try contents(of: path, rootOwned: requireTrusted), file: path)
        } catch {
            return PolicyFile(
                path: path, policies: [],
                diagnostics: [Diagnostic(.error, file: path, line: 0, column: 0, error.message)])
        }
    }

    static func isSymlink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) != 0 || st.st_mode & S_IFMT == S_IFLNK
    }

    static func contents(of path: String, rootOwned: Bool = false) throws(FileProblem) -> [UInt8] {
        try WholeFile(maxBytes: maxFileSize, rootOwned: rootOwned).read(path)
    }
}
