import Glibc
import SystemPackage

/// A small file read whole through one descriptor, checked on that descriptor
/// (not on a path that could be swapped in between): a regular file within a
/// bound, opened without blocking (a FIFO put in its place cannot hang the
/// reader) and, where asked, through no symlink and only when root's and
/// writable by nobody else.
struct WholeFile {
    /// At most this many bytes; a larger file is refused, not cut.
    var maxBytes: Int
    /// The last component may not be a symlink (O_NOFOLLOW).
    var noFollow = false
    /// The file must be root's and not writable by group or others.
    var rootOwned = false

    /// The file's bytes; nil when it does not exist.
    func readIfPresent(_ path: String) throws(FileProblem) -> [UInt8]? {
        var options: FileDescriptor.OpenOptions = [.closeOnExec, .nonBlocking, FileDescriptor.OpenOptions(rawValue: O_NOCTTY)]
        if noFollow { options.insert(.noFollow) }
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, .readOnly, options: options)
        } catch let error as Errno {
            if error == .noSuchFileOrDirectory { return nil }
            throw FileProblem(path, errno: error.rawValue, "cannot open")
        } catch {
            throw FileProblem(path, "cannot open: \(error)")
        }
        defer { try? fd.close() }
        return try read(fd, path: path)
    }

    /// The file's bytes; a missing file is a problem too.
    func read(_ path: String) throws(FileProblem) -> [UInt8] {
        guard let bytes = try readIfPresent(path) else {
            throw FileProblem(path, errno: ENOENT, "cannot open")
        }
        return bytes
    }

    private func read(_ fd: FileDescriptor, path: String) throws(FileProblem) -> [UInt8] {
        var st = stat()
        guard fstat(fd.rawValue, &st) == 0 else { throw FileProblem(path, errno: errno, "cannot stat") }
        guard st.st_mode & S_IFMT == S_IFREG else { throw FileProblem(path, "not a regular file") }
        if rootOwned { try FileTrust.judge(st, of: path, refusing: false) }
        guard st.st_size <= maxBytes else { throw FileProblem(path, "larger than \(maxBytes) bytes") }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var got = 0
        while got < bytes.count {
            let count: Int
            do {
                count = try bytes.withUnsafeMutableBytes {
                    try fd.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got...]), retryOnInterrupt: true)
                }
            } catch {
                throw FileProblem(path, errno: (error as? Errno)?.rawValue, "cannot read")
            }
            if count == 0 { break }  // shorter than its size said: what is there
            got += count
        }
        return Array(bytes[..<got])
    }
}
