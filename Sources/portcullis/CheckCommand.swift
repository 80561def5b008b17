import ArgumentParser
import Glibc
import PortcullisCompiler
import PortcullisDaemon
import PortcullisPolicy

/// Validates policy files without touching the kernel: fit for Ansible's
/// `validate:` and Puppet's `validate_cmd` (exit 0 clean, 1 on errors).
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check policy files or directories; exit 1 when any has errors.")

    @Argument(help: "Policy files or directories.")
    var paths: [String]

    func run() throws {
        var files: [PolicyFile] = []
        for path in paths {
            var st = stat()
            if stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR {
                files += try PolicyDirectory(path: path, requireTrusted: false).read()
            } else {
                files.append(PolicyDirectory.readFile(at: path, requireTrusted: false))
            }
        }
        var reconciler = Reconciler()
        let outcome = reconciler.reconcile(files)
        var diagnostics = outcome.diagnostics
        let usable = outcome.files
        do {
            let compiled = try PolicyCompiler.compile(usable.flatMap(\.policies), generation: 0)
            diagnostics += compiled.diagnostics
        } catch {
            diagnostics.append(
                Diagnostic(
                    .error, file: error.rule.source.file, line: error.rule.source.line,
                    column: error.rule.source.column, error.message))
        }
        for d in diagnostics { print(d.description) }
        let errors = diagnostics.filter { $0.severity == .error }.count
        let policies = usable.reduce(0) { $0 + $1.policies.count }
        print("\(files.count) file(s), \(policies) policy(ies), \(errors) error(s)")
        if errors > 0 { throw ExitCode(1) }
    }
}
