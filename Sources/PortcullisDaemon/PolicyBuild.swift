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

    /// Files and directories given on a command line, read (without the
    /// ownership checks of the daemon) and reconciled as one directory.
    public static func read(_ paths: [String]) throws(FileProblem) -> Reconciler.Outcome {
        var files: [PolicyFile] = []
        for path in paths {
            if ExecFileWatch.isDirectory(path) {
                files += try PolicyDirectory(path: path, requireTrusted: false).read()
            } else {
                files.append(PolicyDirectory.readFile(at: path, requireTrusted: false))
            }
        }
        var reconciler = Reconciler()
        return reconciler.reconcile(files)
    }

    /// The identity of the file at `path`, as the kernel sees it.
    public static func identify(_ path: String) -> FileIdentity? { ExecFileWatch.identify(path) }
}
