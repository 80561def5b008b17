import ArgumentParser
import PortcullisCompiler
import PortcullisDaemon
import PortcullisPolicy

/// Compiles a directory as the daemon would, without touching the kernel.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile", abstract: "Compile policies and report the result (--explain: rule by rule).")

    @Argument(help: "Policy files or directories.") var paths: [String]
    @Flag(help: "List every rule, and the tables' sizes.") var explain = false

    func run() throws {
        let outcome = try PolicyBuild.read(paths)
        for d in outcome.diagnostics { print(d.description) }
        let compiled = try PolicyBuild.compile(outcome.files.flatMap(\.policies), generation: 1)
        for d in compiled.diagnostics { print(d.description) }
        let image = compiled.image
        if explain {
            for rule in compiled.rules {
                print(
                    "rule \(rule.index): \(rule.action.rawValue) \(rule.rule.operation.summary) by \(rule.rule.subject.summary)"
                        + " — policy \(rule.policy) at \(rule.rule.source)")
            }
        }
        print(
            "\(compiled.rules.count) rule(s), \(compiled.subjects) subject(s), exec DFA \(compiled.execStates) state(s); "
                + "image \(image.words.count) words in \(image.lineCount) map entries (\(image.words.count * 4) bytes)")
        if outcome.diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
    }

}
