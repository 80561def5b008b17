import Glibc
import PortcullisSelftest

/// The selftests' programs on disk: copies of the busybox, and a ScratchTree's links.
/// Each copy ends in its own path, so no two copies have the same content: a
/// literal deny rule denies its file's content everywhere (issue 16), and the
/// reference is given each file's digest.
enum SelftestFiles {
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Creates `tree` (its root may exist, its content must not).
    static func build(_ tree: ScratchTree, busybox: String) throws {
        let bytes = try read(busybox)
        try makeDirectory(tree.root, existing: true)
        for entry in tree.entries {
            switch entry {
            case .directory(let path): try makeDirectory(path)
            case .copy(let path): try write(unique(bytes, path), to: path)
            case .hardlink(let path, let target):
                guard link(target, path) == 0 else { throw failure("linking \(path) to \(target)") }
            case .symlink(let path, let target):
                guard symlink(target, path) == 0 else { throw failure("creating the symlink \(path)") }
            }
        }
    }

    /// Copies of `program` at `paths`, in the directory `root` (created if missing).
    static func copies(of program: String, at paths: [String], in root: String) throws {
        let bytes = try read(program)
        try makeDirectory(root, existing: true)
        for path in paths { try write(unique(bytes, path), to: path) }
    }

    /// `bytes` with `path` after them: the ELF loader ignores bytes past its segments.
    static func unique(_ bytes: [UInt8], _ path: String) -> [UInt8] { bytes + Array("\0portcullis:\(path)".utf8) }

    /// The path the kernel sees when `path` is executed.
    static func canonicalPath(_ path: String) throws -> String {
        guard let resolved = realpath(path, nil) else { throw failure("resolving \(path)") }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func makeDirectory(_ path: String, existing: Bool = false) throws {
        guard mkdir(path, 0o755) == 0 || (existing && errno == EEXIST) else {
            throw failure("creating the directory \(path)")
        }
    }

    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("opening \(path)") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw failure("reading \(path)") }
            if n == 0 { return bytes }
            bytes += buffer[0..<n]
        }
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw failure("creating \(path)") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure("writing \(path)") }
            done += n
        }
    }

    static func failure(_ what: String) -> SelftestFailure {
        SelftestFailure("\(what): \(String(cString: strerror(errno)))")
    }
}
