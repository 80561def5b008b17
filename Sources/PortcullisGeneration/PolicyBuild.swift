import Glibc
import PortcullisCompiler
import PortcullisKernel
import PortcullisPolicy
import PortcullisRegex

/// Policies → image as the daemon builds it for this host: literal exec paths
/// resolved through symlinks and matched by file identity too, and by content
/// for deny and audit rules (ContentDigests). `portcullis explain` and
/// `compile` use it, so they decide as the kernel will here.
public enum PolicyBuild {
    public static func compile(_ policies: [Policy], generation: UInt64) throws(CompileError) -> CompiledPolicy {
        try compile(resolved: SymlinkResolution.resolve(policies), generation: generation)
    }

    /// The same, for policies already passed through SymlinkResolution; `patterns`
    /// keeps what was built of each exec pattern for the next compile.
    static func compile(
        resolved policies: [Policy], generation: UInt64, patterns: PatternCache? = nil,
        digests known: ContentDigests = .shared
    ) throws(CompileError) -> CompiledPolicy {
        let devices = MountDevices.current()  // one read of the mount table for every literal path
        let identities = identities(of: execLiterals(policies), devices: devices)
        let copied = copiedPaths(policies)
        // A protected program can share a copied file's content only if it has its size: only those are read.
        let sizes = Set(Array(copied).concurrentMap(chunk: 64) { fileSize($0) }.compactMap { $0 })
        let guarded = protectedPrograms.union(CriticalFiles.current().files.keys)
        let twins = guarded.filter { fileSize($0).map(sizes.contains) ?? false }
        let digests = known.digests(of: copied.union(twins))
        let protected = Set(guarded.compactMap { digests[$0] })
        var compiled = try PolicyCompiler.compile(
            policies, generation: generation, identify: { identities[$0] ?? nil },
            digest: { path in digests[path].flatMap { protected.contains($0) ? nil : $0 } }, patterns: patterns)
        compiled.diagnostics += protectedCopies(policies, copied: copied, digests: digests, protected: protected)
        compiled.diagnostics += unenforceableContent(policies, support: { ContentHashing.support() })
        return compiled
    }

    /// The literal paths of exec rules, whose files the image matches by identity too.
    static func execLiterals(_ policies: [Policy]) -> [String] {
        var paths: Set<String> = []
        for policy in policies {
            for rule in policy.rules {
                guard case .exec(let patterns, _, _) = rule.operation else { continue }
                paths.formUnion(patterns.compactMap(\.literalPath))
            }
        }
        return Array(paths)
    }

    /// The identity of the file at each path (nil: none), looked up now, on every processor.
    static func identities(of paths: [String], devices: MountDevices) -> [String: FileIdentity?] {
        Dictionary(uniqueKeysWithValues: zip(paths, paths.concurrentMap(chunk: 64) { devices.identity(of: $0) }))
    }

    /// A warning for each `sha256:` rule when this kernel cannot hash executed files:
    /// its content condition is then unknown for every file (fail closed).
    /// `support` is asked only when some rule has a `sha256:` condition.
    static func unenforceableContent(
        _ policies: [Policy], support: () -> ContentHashing.Support
    ) -> [Diagnostic] {
        let rules = policies.flatMap(\.rules).filter { rule in
            guard case .exec(_, _, let content) = rule.operation else { return false }
            return !content.digests.isEmpty
        }
        guard !rules.isEmpty else { return [] }
        let support = support()
        guard !support.ok else { return [] }
        return rules.map { rule in
            return Diagnostic(
                .warning, file: rule.source.file, line: rule.source.line, column: rule.source.column,
                "this kernel cannot give the exec hooks a file's SHA-256 (\(support.detail)): the rule's content "
                    + "condition is unknown for every file, so it \(rule.action == .allow ? "never applies" : "applies to every exec its other conditions allow") (fail closed; portcullis doctor)")
        }
    }

    /// Programs whose content no rule denies by a literal path's file (their paths
    /// stay denied): the init system, the shells, the loader, what logs in and
    /// escalates, and portcullis itself; with them the host's critical files
    /// (CriticalFiles: libc and the other libraries of init, systemd and
    /// portcullis). A rule on a copy of /bin/bash must not deny every shell on
    /// the host, nor one on a copy of libc every program.
    static let protectedPrograms: Set<String> = [
        "/sbin/init", "/usr/lib/systemd/systemd", "/bin/sh", "/bin/bash", "/bin/dash", "/usr/bin/env",
        "/lib64/ld-linux-x86-64.so.2", "/usr/bin/sudo", "/usr/bin/su", "/usr/sbin/sshd", "/bin/login",
        "/usr/bin/systemctl", "/proc/self/exe",
    ]

    static func fileSize(_ path: String) -> Int64? {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : nil
    }

    /// A warning for each literal path whose file has the content of a protected program.
    static func protectedCopies(
        _ policies: [Policy], copied: Set<String>, digests: [String: ContentDigest], protected: Set<ContentDigest>
    ) -> [Diagnostic] {
        var warnings: [Diagnostic] = []
        for policy in policies {
            for rule in policy.rules where rule.action != .allow {
                guard case .exec(let patterns, _, _) = rule.operation else { continue }
                for path in patterns.compactMap(\.literalPath) where copied.contains(path) {
                    guard let digest = digests[path], protected.contains(digest) else { continue }
                    let twin = protectedPrograms.union(CriticalFiles.current().files.keys).sorted().first {
                        digests[$0] == digest
                    } ?? "a protected program"
                    warnings.append(
                        Diagnostic(
                            .warning, file: rule.source.file, line: rule.source.line, column: rule.source.column,
                            "\(path) has the same content as \(twin): denied by path and identity only, not by "
                                + "content (that would deny \(twin) too); set matchCopies: false to silence this"))
                }
            }
        }
        return warnings
    }

    /// The literal paths whose content the rules naming them also match
    /// (ExecContent.matchCopies): those of deny and audit rules with no argument
    /// and no `sha256:` condition.
    static func copiedPaths(_ policies: [Policy]) -> Set<String> {
        var paths: Set<String> = []
        for policy in policies {
            for rule in policy.rules where rule.action != .allow {
                guard case .exec(let patterns, nil, let content) = rule.operation, content.matchCopies,
                    content.digests.isEmpty
                else { continue }
                paths.formUnion(patterns.compactMap(\.literalPath))
            }
        }
        return paths
    }

    /// Files and directories given on a command line, read and reconciled as one
    /// directory; with `trusted`, refusing what the daemon refuses (owners, modes).
    public static func read(_ paths: [String], trusted: Bool = false) throws(FileProblem) -> Reconciler.Outcome {
        var files: [PolicyFile] = []
        for path in paths {
            if PolicyDirectory.isDirectory(path) {
                files += try PolicyDirectory(path: path, requireTrusted: trusted).read()
            } else {
                files.append(PolicyDirectory.readFile(at: path, requireTrusted: trusted))
            }
        }
        var reconciler = Reconciler()
        return reconciler.reconcile(files)
    }

    /// A policy directory (with its vendor directory) read and reconciled as the daemon reads it.
    public static func read(_ directory: PolicyDirectory) throws(FileProblem) -> Reconciler.Outcome {
        var reconciler = Reconciler()
        return reconciler.reconcile(try directory.read())
    }

    /// The policy directories of `installedPath` as the daemon would read them
    /// with `bytes` installed there: the file that name now gives (its own, or
    /// the vendor's of that name) is left out, the others are read (with the
    /// daemon's owner and mode checks when `trusted`), and `bytes` are parsed
    /// as that file. `vendorPath`: the vendor directory read beside the
    /// installed path's directory. For `check --as`.
    public static func read(
        installing bytes: [UInt8], at installedPath: String, vendorPath: String? = nil, trusted: Bool
    ) throws(FileProblem) -> Reconciler.Outcome {
        let slash = installedPath.lastIndex(of: "/")
        let directory = slash.map { $0 == installedPath.startIndex ? "/" : String(installedPath[..<$0]) } ?? "."
        let name = slash.map { String(installedPath[installedPath.index(after: $0)...]) } ?? installedPath
        guard PolicyDirectory.isPolicyFile(name) else {
            throw FileProblem(installedPath, "the daemon reads no file by this name (only *.yaml or *.yml, no dotfile or editor leftover)")
        }
        let policies = PolicyDirectory(path: directory, vendorPath: vendorPath, requireTrusted: trusted)
        let others = try policies.read().filter { fileName($0.path) != name }
        let candidate = PolicyFileReader.read(bytes, file: policies.path(of: name))
        var reconciler = Reconciler()
        return reconciler.reconcile((others + [candidate]).sorted { fileName($0.path) < fileName($1.path) })
    }

    /// The last component of a path: the directories are read in the order of their files' names.
    static func fileName(_ path: String) -> Substring {
        path.lastIndex(of: "/").map { path[path.index(after: $0)...] } ?? Substring(path)
    }

    /// A policy file's bytes, as the daemon reads one (a regular file, at most 1 MiB).
    public static func contents(of path: String) throws(FileProblem) -> [UInt8] {
        try PolicyDirectory.contents(of: path)
    }

    /// The identity of the file at `path`, as the kernel sees it.
    public static func identify(_ path: String) -> FileIdentity? { MountDevices.current().identity(of: path) }
}
