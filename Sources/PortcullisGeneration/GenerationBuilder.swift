import PortcullisCompiler
import PortcullisPolicy
import PortcullisRegex

/// Policy directory → the next generation, as the daemon builds each one:
/// the files read (again only where they changed), reconciled with their last
/// good versions, literal paths resolved, and compiled (again only the
/// automata of the exec patterns that are new). What it keeps is what the
/// last build used, never more.
public struct GenerationBuilder: Sendable {
    public let directory: PolicyDirectory
    private var reconciler = Reconciler()
    public private(set) var fileCache = PolicyFileCache()
    public let patternCache = PatternCache()
    /// The digests of the files literal rules name, read again only where they changed.
    public let digests: ContentDigests

    public init(directory: PolicyDirectory, digests: ContentDigests = .shared) {
        self.directory = directory
        self.digests = digests
    }

    /// The directory's files, and what of them the next generation is made of.
    public mutating func read() throws(FileProblem) -> (files: [PolicyFile], outcome: Reconciler.Outcome) {
        let files = try fileCache.read(directory)
        return (files, reconciler.reconcile(files))
    }

    /// Reads, resolves and compiles in one go (the daemon takes the steps one by
    /// one, logging between them; `portcullis-bench` times this).
    public mutating func build(generation: UInt64) throws -> CompiledPolicy {
        let (_, outcome) = try read()
        return try compile(resolved: SymlinkResolution.resolve(outcome.files.flatMap(\.policies)), generation: generation)
    }

    /// The most files that are taken back one by one when a change does not compile.
    public static let isolationLimit = 8

    /// The generation of `files`. When they do not compile together (an
    /// automaton over its state cap, a table over its size), the files that
    /// changed since `applied` (the files of the generation in force, by path)
    /// are the suspects, not the rule the compiler happened to stop at: starting
    /// from the generation in force with the other files' changes, each changed
    /// file is added back in turn, and one that does not compile with what is
    /// already in is set aside (its version in force stays, a new file stays
    /// out) and named with its own error. The rest of the directory applies.
    /// Throws the first error when nothing changed, when more than
    /// `isolationLimit` files changed, or when even the generation in force no
    /// longer compiles. Returns the compiled generation, the files it is made
    /// of, and the files set aside with their errors. `resolved`: the policies
    /// of `files` with their literal paths resolved, when the caller has them
    /// (the daemon resolves them first, to watch them); the first attempt uses
    /// them rather than resolving every path again.
    public func compile(
        files: [PolicyFile], resolved: [Policy]? = nil, applied: [String: PolicyFile], generation: UInt64
    ) throws(CompileError) -> (compiled: CompiledPolicy, files: [PolicyFile], setAside: [(path: String, error: CompileError)]) {
        func build(_ files: [PolicyFile]) throws(CompileError) -> CompiledPolicy {
            try compile(resolved: SymlinkResolution.resolve(files.flatMap(\.policies)), generation: generation)
        }
        let first: CompileError
        do {
            if let resolved { return (try compile(resolved: resolved, generation: generation), files, []) }
            return (try build(files), files, [])
        } catch {
            first = error
        }
        let changed = files.filter { applied[$0.path] != $0 }
        guard !changed.isEmpty, changed.count <= Self.isolationLimit else { throw first }
        let changedPaths = Set(changed.map(\.path))
        var current = files.compactMap { changedPaths.contains($0.path) ? applied[$0.path] : $0 }
        var compiled: CompiledPolicy
        do {
            compiled = try build(current)
        } catch {
            throw first
        }
        var setAside: [(path: String, error: CompileError)] = []
        for file in changed {
            var candidate = current.filter { $0.path != file.path } + [file]
            candidate.sort { $0.path < $1.path }
            do {
                compiled = try build(candidate)
                current = candidate
            } catch {
                setAside.append((file.path, error))
            }
        }
        return (compiled, current, setAside)
    }

    /// The image of `policies` (as SymlinkResolution gives them) for `generation`.
    public func compile(resolved policies: [Policy], generation: UInt64) throws(CompileError) -> CompiledPolicy {
        try PolicyBuild.compile(resolved: policies, generation: generation, patterns: patternCache, digests: digests)
    }
}
