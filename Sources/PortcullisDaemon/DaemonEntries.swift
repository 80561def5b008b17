import Glibc
import PortcullisCompiler
import PortcullisGeneration
import PortcullisJournal
import PortcullisPolicy
import PortcullisKernel

/// The daemon's own entries in the audit trail (decisions are built in
/// PortcullisJournal). Messages read like the lines of a log; the fields
/// carry the same facts for `journalctl FIELD=value` and for programs.
extension JournalEntry {
    /// `start` says how the programs came to be enforcing: attached, adopted
    /// (pinned by an earlier daemon) or upgraded (another build's replaced).
    /// `verifier` is what loading the programs cost (empty when they were adopted).
    static func started(
        directory: String, start: String, pins: String, inForce: UInt64, programIDs: [String: UInt32],
        verifier: [VerifierCost] = []
    ) -> JournalEntry {
        let programs = programIDs.sorted { $0.key < $1.key }
        let generation = inForce == 0 ? "no generation in force" : "generation \(inForce) in force"
        var fields: [(FieldName, String)] = [
            (.version, PortcullisVersion.current),
            (.policyDirectory, directory), (.programsStart, start), (.pins, pins),
            (.generation, String(inForce)),
            (.programIDs, programs.map { "\($0.key):\($0.value)" }.joined(separator: ",")),
        ]
        var loaded = ""
        if !verifier.isEmpty {
            let instructions = verifier.reduce(0) { $0 + UInt64($1.verifiedInstructions) }
            let milliseconds = verifier.reduce(0) { $0 + $1.loadNanoseconds } / 1_000_000
            loaded = "; \(instructions) instructions verified in \(milliseconds) ms"
            fields += [(.verifiedInstructions, String(instructions)), (.loadMilliseconds, String(milliseconds))]
        }
        return JournalEntry(
            "started portcullis \(PortcullisVersion.current): programs \(start) (\(programs.map { "\($0.key) id \($0.value)" }.joined(separator: ", ")))\(loaded), "
                + "pinned in \(pins), \(generation); following \(directory)",
            priority: .info, messageID: .daemonStarted, fields: fields)
    }

    static func otherABIRemoved(_ pin: String) -> JournalEntry {
        JournalEntry(
            "removed \(pin), pinned by a portcullis of another ABI version", priority: .info,
            messageID: .otherABIRemoved, fields: [(.pins, pin)])
    }

    static func watchOverflowed(_ directory: String) -> JournalEntry {
        JournalEntry(
            "the inotify queue overflowed and changes were lost; reading \(directory) whole again",
            priority: .warning, messageID: .watchOverflowed, fields: [(.policyDirectory, directory)])
    }

    static func runtimeUnavailable(_ directory: String, _ reason: String) -> JournalEntry {
        JournalEntry(
            "\(reason); `portcullis status` and `portcullis events` will not see this daemon (enforcement goes on)",
            priority: .error, messageID: .runtimeUnavailable, fields: [(.runtimeDirectory, directory)])
    }

    static func cacheUnavailable(_ directory: String, _ problem: FileProblem) -> JournalEntry {
        JournalEntry(
            "\(problem); the files literal rules name are read again at each start (enforcement goes on)",
            priority: .warning, messageID: .cacheUnavailable, fields: [(.cacheDirectory, directory)])
    }

    static func hostMountsFailed(_ reason: String) -> JournalEntry {
        JournalEntry(
            "the host's mount table could not be given to the kernel: \(reason); files under mounts it lacks have no path for the rules",
            priority: .error, messageID: .hostMountsFailed)
    }

    /// The daemon found its pins or its generation removed or replaced, and put them back.
    static func tamperRepaired(_ found: [String]) -> JournalEntry {
        JournalEntry(
            "tampering found and repaired: \(found.joined(separator: "; "))", priority: .alert,
            messageID: .tamperRepaired, fields: [(.tamper, "repair"), (.found, found.joined(separator: "\n"))])
    }

    /// The configuration file could not be used: the daemon goes on with its options alone.
    public static func settingsIgnored(_ problem: String) -> JournalEntry {
        JournalEntry(
            "configuration file ignored: \(problem); going on with the command line's options", priority: .error,
            messageID: .settingsIgnored)
    }

    /// `portcullis disarm`: what it removed, or why it could not.
    public static func disarmed(removed: Int, refused: String?, pins: String) -> JournalEntry {
        let uid = String(getuid())
        if let refused {
            return JournalEntry(
                "disarm by uid \(uid) refused: \(refused)", priority: .alert, messageID: .disarmed,
                fields: [(.pins, pins), (.uid, uid), (.found, refused)])
        }
        return JournalEntry(
            "disarmed by uid \(uid): \(removed) pins removed from \(pins); enforcement ends", priority: .warning,
            messageID: .disarmed, fields: [(.pins, pins), (.uid, uid)])
    }

    static func locked(pins: String) -> JournalEntry {
        JournalEntry(
            "locked until reboot: the pins in \(pins), their bpffs and this daemon are out of reach, and no new "
                + "generation may weaken enforcement", priority: .notice, messageID: .locked, fields: [(.pins, pins)])
    }

    /// Locked: a generation that would weaken enforcement was refused.
    static func weakeningRefused(_ weakenings: [Weakening], generation: UInt64, kept: UInt64) -> JournalEntry {
        let list = weakenings.map(\.description)
        return JournalEntry(
            "generation \(generation) refused: enforcement is locked and it would weaken it (\(list.joined(separator: "; "))); "
                + "generation \(kept) stays in force", priority: .alert, messageID: .weakeningRefused,
            fields: [(.generation, String(kept)), (.found, list.joined(separator: "\n"))])
    }

    static func testHold(_ step: String, generation: UInt64) -> JournalEntry {
        JournalEntry(
            "holding before \(step) of generation \(generation) until killed (--test-hold)", priority: .warning,
            messageID: .testHold, fields: [(.step, step), (.generation, String(generation))])
    }

    /// A problem in a policy file: the message is the diagnostic as `portcullis
    /// check` prints it (`FILE:LINE:COLUMN: error: …`).
    static func diagnostic(_ d: Diagnostic) -> JournalEntry {
        var fields: [(FieldName, String)] = [(.policyFile, d.file), (.file, d.file)]
        if d.line > 0 { fields += [(.line, String(d.line)), (.column, String(d.column))] }
        if !d.field.isEmpty { fields.append((.field, d.field)) }
        switch d.severity {
        case .error:
            return JournalEntry(d.description, priority: .error, messageID: .policyFileError, fields: fields)
        case .warning:
            return JournalEntry(d.description, priority: .warning, messageID: .policyFileWarning, fields: fields)
        }
    }

    static func lastGoodKept(_ path: String) -> JournalEntry {
        JournalEntry(
            "\(path) has errors; its last good version stays in force", priority: .warning,
            messageID: .lastGoodKept, fields: [(.policyFile, path)])
    }

    /// A changed file whose rules do not compile with the rest: left out of the generation.
    static func setAside(_ path: String, _ error: CompileError, keptVersion: Bool) -> JournalEntry {
        let source = error.rule.source
        let outcome =
            keptVersion ? "its version in force stays in force" : "it is not enforced; the rest of the directory is"
        return JournalEntry(
            "\(path): its rules do not compile with the rest of the directory: \(error.description); \(outcome)",
            priority: keptVersion ? .warning : .error, messageID: keptVersion ? .lastGoodKept : .fileRefused,
            fields: [
                (.policyFile, path), (.file, source.file), (.line, String(source.line)),
                (.column, String(source.column)),
            ])
    }

    static func refused(_ path: String) -> JournalEntry {
        JournalEntry(
            "\(path) has errors and no good version; it is not enforced", priority: .error,
            messageID: .fileRefused, fields: [(.policyFile, path)])
    }

    static func applied(
        _ summary: GenerationSummary, programIDs: [String: UInt32], timings: ReloadTimings = ReloadTimings(),
        views: TaskViews? = nil
    ) -> JournalEntry {
        JournalEntry(
            summary.description, priority: .info, messageID: .generationApplied,
            fields: [
                (.generation, String(summary.generation)), (.policyCount, String(summary.policies.count)),
                (.ruleCount, String(summary.rules)), (.fileCount, String(summary.files)),
                (.policies, summary.policies.joined(separator: ",")),
                (.execStates, String(summary.execStates)),
                (.programIDs, programIDs.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
                    .joined(separator: ",")),
                (.readMilliseconds, ReloadTimings.milliseconds(timings.read)),
                (.compileMilliseconds, ReloadTimings.milliseconds(timings.compile)),
                (.swapMilliseconds, ReloadTimings.milliseconds(timings.swap)),
            ] + (views.map { [(.taskViews, $0.rawValue)] } ?? []))
    }

    /// The next generation could not be made or installed; `kept` stays in force.
    static func generationFailed(_ reason: String, kept: UInt64, at source: SourceLocation? = nil) -> JournalEntry {
        var fields: [(FieldName, String)] = [(.generation, String(kept))]
        if let source {
            fields += [
                (.policyFile, source.file), (.file, source.file), (.line, String(source.line)),
                (.column, String(source.column)),
            ]
        }
        let keeping = kept == 0 ? "nothing is enforced yet" : "keeping generation \(kept)"
        return JournalEntry(
            "\(reason); \(keeping)", priority: .error, messageID: .generationFailed, fields: fields)
    }

    /// Locked: a stop signal outside a shutdown, refused.
    static func stopRefused(signal name: String, systemState: String?) -> JournalEntry {
        let state = systemState.map { "the system is \($0), not shutting down" } ?? "PID 1 cannot say the system is shutting down"
        return JournalEntry(
            "\(name) refused: enforcement is locked until reboot and \(state); the daemon goes on",
            priority: .alert, messageID: .tamperRefused,
            fields: [(.signal, name), (.tamper, "stop"), (.found, systemState ?? "unknown")])
    }

    static func stopping(signal name: String) -> JournalEntry {
        JournalEntry(
            "stopping on \(name)", priority: .info, messageID: .daemonStopping, fields: [(.signal, name)])
    }
}

/// What a generation holds, for its entry and the service status.
struct GenerationSummary: Sendable, CustomStringConvertible {
    var generation: UInt64
    /// The names of its policies, in file order.
    var policies: [String]
    var rules: Int
    var files: Int
    var execStates: Int

    /// `generation 3 applied: 2 policies, 5 rules from 2 files`.
    var description: String {
        "generation \(generation) applied: \(counted(policies.count, "policy", "policies")), "
            + "\(counted(rules, "rule", "rules")) from \(counted(files, "file", "files"))"
    }

    private func counted(_ n: Int, _ one: String, _ many: String) -> String {
        "\(n) \(n == 1 ? one : many)"
    }
}
