import ArgumentParser
import FoundationEssentials
import PortcullisCompiler
import PortcullisDaemon
import PortcullisPolicy

/// Validates policy files without touching the kernel: fit for Ansible's
/// `validate:` and Puppet's `validate_cmd` (exit 0 clean, 1 on errors).
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check policy files or directories; exit 1 when any has errors.")

    enum Format: String, ExpressibleByArgument { case text, json }

    @Option(help: "text (one line per problem) or json.")
    var format: Format = .text

    @Argument(help: "Policy files or directories.")
    var paths: [String]

    func run() throws {
        let outcome = try PolicyBuild.read(paths)
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
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }
    }
}
