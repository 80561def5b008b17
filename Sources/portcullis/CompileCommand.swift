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
                print("rule \(rule.index): \(rule.action.rawValue) \(describe(rule.rule.operation)) — policy \(rule.policy) at \(rule.rule.source)")
            }
        }
        print(
            "\(compiled.rules.count) rule(s), \(compiled.subjects) subject(s), exec DFA \(compiled.execStates) state(s); "
                + "image \(image.words.count) words in \(image.lineCount) map entries (\(image.words.count * 4) bytes)")
        if outcome.diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
    }

    func describe(_ operation: Operation) -> String {
        switch operation {
        case .exec(let paths, let args):
            return "exec \(paths.map(\.description).joined(separator: " | "))" + (args.map { " args /\($0)/" } ?? "")
        case .capability(let caps): return "capability \(caps.map(\.name).joined(separator: ", "))"
        case .mount(let m):
            return "mount target \(m.targets.map(\.description)) source \(m.sources.map(\.description)) "
                + "type \(m.fsTypes) flags \(m.flags.map(\.rawValue).sorted())"
        }
    }
}
