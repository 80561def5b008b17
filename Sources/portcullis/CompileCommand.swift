import ArgumentParser
import FoundationEssentials
import PortcullisCompiler
import PortcullisGeneration
import PortcullisPolicy

/// Compiles a directory as the daemon would, without touching the kernel.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile", abstract: "Compile policies and report the result (--explain: rule by rule).")

    @Argument(help: "Policy files or directories.") var paths: [String]
    @Flag(help: "List every rule, and the tables' sizes.") var explain = false
    @Option(help: "text, or json: one object with every rule (as --explain lists them), the sizes and the problems.")
    var format: OutputFormat = .text

    func run() throws {
        let outcome = try PolicyBuild.read(paths)
        let compiled = try PolicyBuild.compile(outcome.files.flatMap(\.policies), generation: 1)
        let image = compiled.image
        // The critical files each deny rule matches (a file with such a rule not saying denyCriticalFiles was refused).
        let denials = compiled.rules.filter { $0.action == .deny }
        let critical = Dictionary(
            uniqueKeysWithValues: zip(
                denials.map(\.index), CriticalRules.hits(denials.map(\.rule), in: CriticalFiles.current())))
        if format == .json {
            let report = CompileReport(
                rules: compiled.rules.map {
                    .init(
                        index: $0.index, action: $0.action.rawValue, operation: $0.rule.operation.summary,
                        subject: $0.rule.subject.summary, policy: $0.policy, file: $0.rule.source.file,
                        line: $0.rule.source.line, column: $0.rule.source.column,
                        criticalFiles: critical[$0.index].flatMap { $0.isEmpty ? nil : $0.map { .init(path: $0.path, reason: $0.reason) } })
                },
                subjects: compiled.subjects, execStates: compiled.execStates, execAutomata: compiled.execAutomata,
                imageWords: image.words.count,
                mapEntries: image.lineCount,
                problems: (outcome.diagnostics + compiled.diagnostics).map {
                    .init(severity: $0.severity.rawValue, file: $0.file, line: $0.line, column: $0.column, message: $0.message)
                })
            print(try jsonLine(report))
            if outcome.diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
            return
        }
        for d in outcome.diagnostics { print(d.description) }
        for d in compiled.diagnostics { print(d.description) }
        if explain {
            for rule in compiled.rules {
                print(
                    "rule \(rule.index): \(rule.action.rawValue) \(rule.rule.operation.summary) by \(rule.rule.subject.summary)"
                        + " — policy \(rule.policy) at \(rule.rule.source)")
                for file in critical[rule.index] ?? [] {
                    print("  denies critical file \(file.path) (\(file.reason))\(rule.rule.denyCriticalFiles ? " on purpose (denyCriticalFiles: true)" : "")")
                }
            }
        }
        print(
            "\(compiled.rules.count) rule(s), \(compiled.subjects) subject(s), exec DFA \(compiled.execStates) state(s)"
                + (compiled.execAutomata > 1 ? " in \(compiled.execAutomata) automata" : "") + "; "
                + "image \(image.words.count) words in \(image.lineCount) map entries (\(image.words.count * 4) bytes)")
        if outcome.diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
    }

}

/// `compile --format json`.
struct CompileReport: Encodable {
    struct Rule: Encodable {
        var index: Int, action: String, operation: String, subject: String, policy: String, file: String
        var line: Int, column: Int
        /// The critical files a deny rule matches (left out when none).
        var criticalFiles: [CriticalFile]?
    }
    struct Problem: Encodable {
        var severity: String, file: String, line: Int, column: Int, message: String
    }
    var rules: [Rule]
    var subjects: Int
    var execStates: Int
    /// The exec path DFAs the patterns were split into (1 when they fit in one; 0: none).
    var execAutomata: Int
    var imageWords: Int
    var mapEntries: Int
    var problems: [Problem]
}
