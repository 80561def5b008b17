import ArgumentParser
import FoundationEssentials
import PortcullisCompiler
import PortcullisGeneration
import PortcullisPolicy
import SystemPackage

/// Validates policy files without touching the kernel: fit for Ansible's
/// `validate:` and Puppet's `validate_cmd` (exit 0 clean, 1 on errors).
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check policy files or directories; exit 1 when any has errors.")

    @Option(help: "text (one line per problem) or json.")
    var format: OutputFormat = .text

    @Argument(help: "Policy files or directories; - reads one file from standard input.")
    var paths: [String]

    @Option(
        name: .customLong("as"),
        help: ArgumentHelp(
            "Check the one file given as if installed at this path: with the other files of that directory, in place of the file there now.",
            discussion: "For Ansible: validate: portcullis check --as /etc/policies.d/10-web.yaml %s"))
    var installedAs: String?

    @Option(
        name: .customLong("vendor-dir"),
        help: "With --as: the vendor policy directory the daemon reads beside it (a file of the same name there is overridden).")
    var vendorDirectory = PolicyDirectory.defaultVendorPath

    @Flag(help: "Skip the owner and mode checks the daemon makes (files being written in a home directory).")
    var ignoreOwnership = false

    func validate() throws {
        if installedAs != nil && paths.count != 1 {
            throw ValidationError("--as checks one file: give exactly one file, or - for standard input")
        }
        if paths.contains("-") && paths.count != 1 {
            throw ValidationError("- (standard input) is one file: give no other path with it")
        }
        if let installedAs, !installedAs.hasPrefix("/") {
            throw ValidationError("--as takes the absolute path the file will have, not \(installedAs)")
        }
    }

    /// The files, reconciled as the daemon would; a problem reading them is an error there.
    func read() throws -> Reconciler.Outcome {
        let trusted = !ignoreOwnership
        do {
            if paths == ["-"] || installedAs != nil {
                let bytes = paths == ["-"] ? try Self.standardInput() : try PolicyBuild.contents(of: paths[0])
                if let installedAs {
                    return try PolicyBuild.read(
                        installing: bytes, at: installedAs, vendorPath: vendorDirectory, trusted: trusted)
                }
                var reconciler = Reconciler()
                return reconciler.reconcile([PolicyFileReader.read(bytes, file: "<stdin>")])
            }
            return try PolicyBuild.read(paths, trusted: trusted)
        } catch let problem as FileProblem {
            var reconciler = Reconciler()
            var nothing = reconciler.reconcile([])
            nothing.diagnostics.append(Diagnostic(.error, file: problem.path, line: 0, column: 0, problem.message))
            return nothing
        }
    }

    /// Standard input, up to the size the daemon reads.
    static func standardInput() throws -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try FileDescriptor.standardInput.read(into: $0) }
            if n == 0 { return bytes }
            bytes += buffer[..<n]
            guard bytes.count <= PolicyDirectory.maxFileSize else {
                throw ValidationError("standard input is larger than \(PolicyDirectory.maxFileSize) bytes")
            }
        }
    }

    func run() throws {
        let outcome = try read()
        var diagnostics = outcome.diagnostics
        do {
            diagnostics += try PolicyBuild.compile(outcome.files.flatMap(\.policies), generation: 0).diagnostics
        } catch {
            diagnostics.append(
                Diagnostic(
                    .error, file: error.rule.source.file, line: error.rule.source.line,
                    column: error.rule.source.column, error.message))
        }
        let errors = diagnostics.filter { $0.severity == .error }.count
        let policies = outcome.files.reduce(0) { $0 + $1.policies.count }
        switch format {
        case .text:
            for d in diagnostics { print(d.description) }
            print("\(paths.count) path(s), \(policies) policy(ies), \(errors) error(s)")
        case .json:
            print(try Report(diagnostics: diagnostics, policies: policies, errors: errors).json())
        }
        if errors > 0 { throw ExitCode(1) }
    }

    /// The JSON form: every problem with its place, and the counts.
    struct Report: Encodable {
        struct Problem: Encodable {
            var severity: String, file: String, line: Int, column: Int, field: String, message: String
        }
        var problems: [Problem]
        var policies: Int
        var errors: Int

        init(diagnostics: [Diagnostic], policies: Int, errors: Int) {
            problems = diagnostics.map {
                Problem(
                    severity: $0.severity.rawValue, file: $0.file, line: $0.line, column: $0.column,
                    field: $0.field, message: $0.message)
            }
            self.policies = policies
            self.errors = errors
        }

        func json() throws -> String {
            try jsonLine(self)
        }
    }
}
