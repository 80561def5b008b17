import Glibc

/// A file that cannot be used, and why.
public struct FileProblem: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(_ path: String, errno code: Int32? = nil, _ what: String) {
        self.path = path
        self.message = code.map { "\(what): \(String(cString: strerror($0)))" } ?? what
    }

    public var description: String { "\(path): error: \(message)" }
}

/// Ownership and mode checks on what the daemon reads.
public enum FileTrust {
    public static func check(_ path: String, directory: Bool) throws(FileProblem) {
        var st = stat()
        guard stat(path, &st) == 0 else { throw FileProblem(path, errno: errno, "cannot stat") }
        let kind = st.st_mode & S_IFMT
        if directory, kind != S_IFDIR { throw FileProblem(path, "not a directory") }
        guard st.st_uid == 0 else {
            throw FileProblem(path, "owned by uid \(st.st_uid), not root; refusing to trust it")
        }
        guard st.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw FileProblem(
                path,
                "writable by group or others (mode \(String(st.st_mode & 0o7777, radix: 8))); "
                    + "refusing to trust it (chmod go-w)")
        }
    }
}
