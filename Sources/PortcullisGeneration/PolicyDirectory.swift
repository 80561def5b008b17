import Glibc
import PortcullisPolicy

/// The policy drop-in directory: which files count, and reading them safely.
public struct PolicyDirectory: Sendable {
    public var path: String
    /// Refuse files and directories not owned by root or writable by group or others,
    /// as sudo and sshd do. Off only for `portcullis check` on files being written.
    public var requireTrusted: Bool
    public static let maxFileSize = 1 << 20

    public init(path: String, requireTrusted: Bool = true) {
        self.path = path
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
        try filePaths().map { Self.readFile(at: $0, requireTrusted: requireTrusted) }
    }

    /// The paths of the policy files, in lexical order of name (the directory checked first).
    func filePaths() throws(FileProblem) -> [String] {
        if requireTrusted { try FileTrust.check(path, directory: true) }
        guard let dir = opendir(path) else { throw FileProblem(path, errno: errno, "cannot open the directory") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if Self.isPolicyFile(name) { names.append(name) }
        }
        return names.sorted().map(path(of:))
    }

    /// One file of the directory, parsed.
    public func readFile(named name: String) -> PolicyFile {
        Self.readFile(at: path(of: name), requireTrusted: requireTrusted)
    }

    /// Whether `path` is a directory (symlinks followed).
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    /// The path of the entry `name`, as `read` names its files.
    public func path(of name: String) -> String { path.hasSuffix("/") ? path + name : path + "/" + name }

    /// One file, parsed; a file that cannot be read becomes a file with one error.
    public static func readFile(at path: String, requireTrusted: Bool) -> PolicyFile {
        do {
            if requireTrusted { try FileTrust.check(path, directory: false) }
            return PolicyReader.read(try contents(of: path), file: path)
        } catch {
            return PolicyFile(
                path: path, policies: [],
                diagnostics: [Diagnostic(.error, file: path, line: 0, column: 0, error.message)])
        }
    }

    static func contents(of path: String) throws(FileProblem) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw FileProblem(path, errno: errno, "cannot open") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileProblem(path, errno: errno, "cannot stat") }
        guard st.st_mode & S_IFMT == S_IFREG else { throw FileProblem(path, "not a regular file") }
        guard st.st_size <= maxFileSize else {
            throw FileProblem(path, "larger than \(maxFileSize) bytes; refusing to read it")
        }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                if n == 0 { break }
                throw FileProblem(path, errno: errno, "cannot read")
            }
            got += n
        }
        return Array(bytes[..<got])
    }
}
