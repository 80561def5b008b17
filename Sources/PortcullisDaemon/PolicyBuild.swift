import PortcullisCompiler
import PortcullisKernel
import PortcullisPolicy
import PortcullisRegex

/// Policies → image as the daemon builds it for this host: literal exec paths
/// resolved through symlinks and matched by file identity too. `portcullis
/// explain` and `compile` use it, so they decide as the kernel will here.
public enum PolicyBuild {
    public static func compile(_ policies: [Policy], generation: UInt64) throws(CompileError) -> CompiledPolicy {
        try compile(resolved: SymlinkResolution.resolve(policies), generation: generation)
    }

    /// The same, for policies already passed through SymlinkResolution; `patterns`
    /// keeps what was built of each exec pattern for the next compile.
    static func compile(
        resolved policies: [Policy], generation: UInt64, patterns: PatternCache? = nil
    ) throws(CompileError) -> CompiledPolicy {
        let devices = MountDevices.current()  // one read of the mount table for every literal path
        return try PolicyCompiler.compile(
            policies, generation: generation, identify: devices.identity(of:), patterns: patterns)
    }

    /// Files and directories given on a command line, read and reconciled as one
    /// directory; with `trusted`, refusing what the daemon refuses (owners, modes).
    public static func read(_ paths: [String], trusted: Bool = false) throws(FileProblem) -> Reconciler.Outcome {
        var files: [PolicyFile] = []
        for path in paths {
            if ExecFileWatch.isDirectory(path) {
                files += try PolicyDirectory(path: path, requireTrusted: trusted).read()
            } else {
                files.append(PolicyDirectory.readFile(at: path, requireTrusted: trusted))
            }
        }
        var reconciler = Reconciler()
        return reconciler.reconcile(files)
    }

    /// The policy directory of `installedPath` as the daemon would read it with
    /// `bytes` installed there: the file now at that path is left out, the others
    /// are read (with the daemon's owner and mode checks when `trusted`), and
    /// `bytes` are parsed as that file. For `check --as`.
    public static func read(
        installing bytes: [UInt8], at installedPath: String, trusted: Bool
    ) throws(FileProblem) -> Reconciler.Outcome {
        let slash = installedPath.lastIndex(of: "/")
        let directory = slash.map { $0 == installedPath.startIndex ? "/" : String(installedPath[..<$0]) } ?? "."
        let name = slash.map { String(installedPath[installedPath.index(after: $0)...]) } ?? installedPath
        guard PolicyDirectory.isPolicyFile(name) else {
            throw FileProblem(installedPath, "the daemon reads no file by this name (only *.yaml or *.yml, no dotfile or editor leftover)")
        }
        let others = try PolicyDirectory(path: directory, requireTrusted: trusted).read()
            .filter { $0.path != PolicyDirectory(path: directory).path(of: name) }
        let candidate = PolicyReader.read(bytes, file: PolicyDirectory(path: directory).path(of: name))
        var reconciler = Reconciler()
        return reconciler.reconcile((others + [candidate]).sorted { $0.path < $1.path })
    }

    /// A policy file's bytes, as the daemon reads one (a regular file, at most 1 MiB).
    public static func contents(of path: String) throws(FileProblem) -> [UInt8] {
        try PolicyDirectory.contents(of: path)
    }

    /// The identity of the file at `path`, as the kernel sees it.
    public static func identify(_ path: String) -> FileIdentity? { ExecFileWatch.identify(path) }
}
