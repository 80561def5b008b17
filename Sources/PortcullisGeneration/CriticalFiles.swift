import Glibc
import Synchronization

/// The files this host cannot live without, by canonical path (as the kernel
/// matches exec rules, at exec and at executable mappings): /sbin/init,
/// systemd, portcullis's own binary (/proc/self/exe: the daemon, or the CLI
/// checking a file, the same installed binary), their ELF interpreter (the
/// dynamic loader), and the libraries they need, transitively, found as the
/// loader finds them (LibrarySearch). An exec deny matching one of them stops
/// every program mapping it (issue 15): CriticalRules makes that an error.
///
/// A file that cannot be read or parsed contributes nothing more than itself
/// (a root) and is named in `problems`.
public struct CriticalFiles: Sendable, Equatable {
    /// Why a file is critical.
    public enum Role: Sendable, Hashable {
        /// One of the programs the set starts from, described (`the init system (/sbin/init)`).
        case program(String)
        /// The ELF interpreter of one of them.
        case loader
        /// A library one of them needs; `of` names the program (`/sbin/init`, `portcullis`).
        case library(of: String)
    }

    public struct File: Sendable, Hashable, CustomStringConvertible {
        /// The canonical path.
        public var path: String
        public var role: Role

        public init(path: String, role: Role) {
            self.path = path
            self.role = role
        }

        /// Why it is critical: `the dynamic loader`, `a library of /sbin/init`, ….
        public var reason: String {
            switch role {
            case .program(let what): return what
            case .loader: return "the dynamic loader"
            case .library(let program): return "a library of \(program)"
            }
        }

        public var description: String { "\(path) (\(reason))" }

        /// The order files are named in messages: the loader, libc, the programs,
        /// then the other libraries; by path within each.
        var rank: Int {
            switch role {
            case .loader: return 0
            case .library: return path.split(separator: "/").last?.hasPrefix("libc.so.") == true ? 1 : 3
            case .program: return 2
            }
        }
    }

    /// Every critical file, by canonical path.
    public let files: [String: File]
    /// Every critical file, in message order.
    public let sorted: [File]
    /// Files that could not be read or parsed (their dependencies are unknown).
    public let problems: [String]

    /// The files in `files`; a path listed twice keeps its first role.
    public init(_ files: [File], problems: [String] = []) {
        var byPath: [String: File] = [:]
        for file in files where byPath[file.path] == nil { byPath[file.path] = file }
        self.files = byPath
        self.sorted = byPath.values.map { ($0.rank, $0) }.sorted { ($0.0, $0.1.path) < ($1.0, $1.1.path) }.map(\.1)
        self.problems = problems
    }

    /// The critical file at `canonicalPath`, if it is one.
    public func file(at canonicalPath: String) -> File? { files[canonicalPath] }

    public var isEmpty: Bool { files.isEmpty }

    /// A program the set starts from: where it is, and how it is named.
    public struct Root: Sendable, Hashable {
        public var path: String
        /// In `a library of NAME`.
        public var name: String
        /// The reason given for the program itself.
        public var description: String

        public init(path: String, name: String, description: String) {
            self.path = path
            self.name = name
            self.description = description
        }
    }

    /// The host's: init, systemd (where it is installed) and this process's own binary.
    public static let hostRoots = [
        Root(path: "/sbin/init", name: "/sbin/init", description: "the init system (/sbin/init)"),
        Root(path: "/usr/lib/systemd/systemd", name: "systemd", description: "systemd"),
        Root(path: "/proc/self/exe", name: "portcullis", description: "portcullis's own binary"),
    ]

    /// The most files followed from the roots (a bound on a pathological host).
    static let maxObjects = 2048

    /// The critical set of `roots`: each root that exists, its interpreter, and
    /// the libraries needed from them transitively. Also the paths read to find
    /// them, whose identities key the cache.
    static func compute(
        roots: [Root], search: LibrarySearch
    ) -> (files: CriticalFiles, read: [String]) {
        var files: [File] = []
        var problems: [String] = []
        var read = roots.map(\.path) + search.read
        var visited: Set<String> = []
        typealias Object = (path: String, object: ELFDependencies)
        /// The libraries `objects` need, transitively, found for `program`, as libraries of `name`.
        func follow(_ objects: [Object], program: Object, name: String) {
            var queue = objects
            var next = 0
            while next < queue.count, visited.count < maxObjects {
                let (path, object) = queue[next]
                next += 1
                for needed in object.needed {
                    guard
                        let (found, library) = search.resolve(
                            needed, for: object, at: path, program: (program.object, program.path)),
                        let canonical = canonicalPath(found)
                    else { continue }
                    files.append(File(path: canonical, role: .library(of: name)))
                    guard visited.insert(canonical).inserted else { continue }
                    read.append(canonical)
                    queue.append((canonical, library))
                }
            }
        }
        // Each program whole (its loader, its libraries) before the next, so a
        // library is named after the first program that needs it.
        for root in roots {
            guard let path = canonicalPath(root.path) ?? replacedProgram(root.path) else { continue }
            read.append(path)
            files.append(File(path: path, role: .program(root.description)))
            guard visited.insert(path).inserted else { continue }
            guard let object = ELFDependencies.read(path: path) else {
                problems.append("\(path): not an ELF program portcullis can read; its libraries are unknown")
                continue
            }
            var objects: [Object] = [(path, object)]
            if let interpreter = object.interpreter, let loader = canonicalPath(interpreter) {
                files.append(File(path: loader, role: .loader))
                read.append(loader)
                // The loader's own needs (none, usually) are the program's too.
                if visited.insert(loader).inserted, let parsed = ELFDependencies.read(path: loader) {
                    objects.append((loader, parsed))
                }
            }
            follow(objects, program: (path, object), name: root.name)
        }
        return (CriticalFiles(files, problems: problems), read)
    }

    /// Where the program of `link` (/proc/self/exe) was, when it has been replaced
    /// since it started (an upgrade: the link reads `PATH (deleted)`): the canonical
    /// path of the program now there, if any.
    static func replacedProgram(_ link: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(link, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard target.hasPrefix("/"), target.hasSuffix(" (deleted)") else { return nil }
        return canonicalPath(String(target.dropLast(" (deleted)".count)))
    }

    /// The canonical path of an existing file (realpath), as the kernel names it.
    static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// This host's critical set (`hostRoots`, /etc/ld.so.conf), from CriticalFilesCache.host.
    public static func current() -> CriticalFiles { CriticalFilesCache.host.versioned().files }
}

/// One critical set, computed again only when a file it was computed from
/// changed: the roots, every library found, the ld.so.conf files and their
/// include directories, by device, inode and modification time (looked at
/// again at most once per `recheckAfter` seconds: reading a directory of a
/// thousand files asks for the set a thousand times). Only the last set is kept.
public final class CriticalFilesCache: Sendable {
    let roots: [CriticalFiles.Root]
    let configuration: String
    let recheckAfter: Double

    /// The host's: what `portcullis check` and the daemon check files against.
    public static let host = CriticalFilesCache(roots: CriticalFiles.hostRoots)

    init(roots: [CriticalFiles.Root], configuration: String = "/etc/ld.so.conf", recheckAfter: Double = 1) {
        self.roots = roots
        self.configuration = configuration
        self.recheckAfter = recheckAfter
    }

    /// What identifies a version of a file: device, inode, modification time
    /// (nil: absent).
    struct Stamp: Equatable, Sendable {
        var device: UInt64, inode: UInt64, seconds: Int, nanoseconds: Int

        init?(_ path: String) {
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            (device, inode) = (UInt64(st.st_dev), UInt64(st.st_ino))
            (seconds, nanoseconds) = (st.st_mtim.tv_sec, st.st_mtim.tv_nsec)
        }
    }

    private struct Cached: Sendable {
        var stamps: [(path: String, stamp: Stamp?)]
        var files: CriticalFiles
        var version: UInt64
        /// When the stamps were last found unchanged (CLOCK_MONOTONIC, seconds).
        var checked: Double
    }

    private let cache = Mutex<Cached?>(nil)

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The set, and a number that changes whenever it does (PolicyFileCache reads
    /// a file again when the set it was checked against is no longer the host's).
    func versioned() -> (files: CriticalFiles, version: UInt64) {
        let start = Self.now()
        if let cached = cache.withLock({ $0 }) {
            if start - cached.checked < recheckAfter { return (cached.files, cached.version) }
            if cached.stamps.allSatisfy({ Stamp($0.path) == $0.stamp }) {
                cache.withLock { $0?.checked = start }
                return (cached.files, cached.version)
            }
        }
        let (files, read) = CriticalFiles.compute(roots: roots, search: LibrarySearch(configuration: configuration))
        var seen: Set<String> = []
        let stamps = read.filter { seen.insert($0).inserted }.map { ($0, Stamp($0)) }
        return cache.withLock { cached in
            let version = cached.map { $0.files == files ? $0.version : $0.version + 1 } ?? 1
            cached = Cached(stamps: stamps, files: files, version: version, checked: start)
            return (files, version)
        }
    }
}
