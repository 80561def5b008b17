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

/// Ownership and mode checks on what the daemon reads, as sshd's StrictModes
/// makes them: the file or directory itself, and every directory above it up to
/// /, must be owned by root and writable by nobody else. A directory writable
/// by others is trusted only when it is sticky (as /tmp): there nobody but root
/// may rename or remove root's entries.
public enum FileTrust {
    /// Checks `path` and, unless `ancestorsTrusted`, each directory above its canonical path.
    public static func check(_ path: String, directory: Bool, ancestorsTrusted: Bool = false) throws(FileProblem) {
        var st = stat()
        guard stat(path, &st) == 0 else { throw FileProblem(path, errno: errno, "cannot stat") }
        if directory, st.st_mode & S_IFMT != S_IFDIR { throw FileProblem(path, "not a directory") }
        try judge(st, of: path)
        if !ancestorsTrusted { try checkAncestors(of: path) }
    }

    /// The rule itself, on what stat or fstat said of `path`, or of `ancestor`,
    /// a directory above it: owned by root and writable by nobody else (an
    /// ancestor may be if it is sticky). `refusing`: the message ends by saying
    /// trust is refused, with the fix; else it says only what is wrong.
    static func judge(_ st: stat, of path: String, ancestor: String? = nil, refusing: Bool = true) throws(FileProblem) {
        let subject = ancestor.map { "its directory \($0) is " } ?? ""
        let refusal = refusing ? "; refusing to trust it" : ""
        guard st.st_uid == 0 else {
            throw FileProblem(path, "\(subject)owned by uid \(st.st_uid), not root\(refusal)")
        }
        if st.st_mode & (S_IWGRP | S_IWOTH) == 0 { return }
        let mode = String(st.st_mode & 0o7777, radix: 8)
        if ancestor != nil {
            guard st.st_mode & S_ISVTX != 0 else {
                throw FileProblem(path, "\(subject)writable by group or others (mode \(mode)) and not sticky\(refusal)")
            }
        } else {
            let fix = refusing ? " (chmod go-w)" : ""
            throw FileProblem(path, "writable by group or others (mode \(mode))\(refusal)\(fix)")
        }
    }

    /// Creates the directory `path` (mode 0700) when it is missing, then checks
    /// it and its ancestors as `check` does: the daemon writes there as root.
    /// `purpose` names it in the error when it cannot be created.
    public static func createDirectory(_ path: String, purpose: String) throws(FileProblem) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw FileProblem(path, errno: errno, "cannot create the \(purpose)")
        }
        try check(path, directory: true)
    }

    /// Every directory above the canonical path of `path`, from its parent up to /.
    public static func checkAncestors(of path: String) throws(FileProblem) {
        guard let canonical = canonicalPath(path) else { throw FileProblem(path, errno: errno, "cannot resolve") }
        for directory in ancestors(of: canonical) {
            var st = stat()
            guard stat(directory, &st) == 0 else { throw FileProblem(path, errno: errno, "cannot stat \(directory)") }
            try judge(st, of: path, ancestor: directory)
        }
    }

    /// The directories above an absolute path, nearest first, ending with /.
    static func ancestors(of path: String) -> [String] {
        var result: [String] = []
        var current = Substring(path)
        while let slash = current.lastIndex(of: "/") {
            current = current[..<slash]
            result.append(current.isEmpty ? "/" : String(current))
            if current.isEmpty { break }
        }
        return result
    }

    static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
