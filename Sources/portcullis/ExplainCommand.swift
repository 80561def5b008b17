import ArgumentParser
import FoundationEssentials
import Glibc
import PortcullisCompiler
import PortcullisGeneration
import PortcullisPolicy
import SystemPackage

/// What would the kernel decide? Compiles the directory as the daemon would on
/// this host and decides one event with the reference evaluator, naming the
/// rule (file:line) that decided.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Decide one exec, capability use or mount against a policy directory, and say which rule decided.",
        subcommands: [Exec.self, CapabilityUse.self, Mount.self])

    struct Policies: ParsableArguments {
        @Option(name: .customLong("policy-dir"), help: "The policy directory (or file).")
        var policyDirectory = "/etc/policies.d"

        @Option(
            name: .customLong("vendor-dir"),
            help: "The vendor policy directory read beside a --policy-dir directory, as the daemon does.")
        var vendorDirectory = PolicyDirectory.defaultVendorPath

        @Option(name: .customLong("exe"), help: "The acting process's executable (it is resolved to its canonical path).")
        var executable: String?

        @Option(
            name: .customLong("arg"), parsing: .unconditionalSingleValue,
            help: "One of its arguments (argv[1...]), in order; repeat. For exec: the program's arguments.")
        var arguments: [String] = []

        @Option(help: "The acting process's real uid when it acts (setuid programs keep the caller's).")
        var uid: UInt32 = 0

        @Option(help: "The acting process's systemd unit (nginx.service: its cgroup /system.slice/nginx.service).")
        var unit: String?

        @Option(help: "The acting process's cgroup v2 path (/system.slice/nginx.service; / by default).")
        var cgroup: String?

        @Option(help: "text, or json: one object with the decision, the rules that made it and the notes.")
        var format: OutputFormat = .text

        /// A note or warning: a line of text, or collected for the JSON object (on standard error).
        func note(_ line: String) {
            if format == .json { printError(line) } else { print(line) }
        }

        func validate() throws {
            if unit != nil && cgroup != nil { throw ValidationError("give --unit or --cgroup, not both") }
            if let cgroup, !cgroup.hasPrefix("/") {
                throw ValidationError("--cgroup takes a path from the root of the hierarchy, such as /system.slice/nginx.service")
            }
            if let unit, unit.contains("/") { throw ValidationError("'\(unit)' is not a unit name") }
        }

        /// The cgroup path the acting process runs in: --cgroup, or where systemd puts --unit.
        var cgroupPath: String {
            if let cgroup { return cgroup }
            guard let unit else { return "/" }
            return Self.cgroupPath(ofUnit: unit)
        }

        /// Where systemd puts a unit: a slice by its name (`a-b.slice` under `a.slice`,
        /// `-.slice` the root); any other unit in system.slice.
        static func cgroupPath(ofUnit unit: String) -> String {
            guard unit.hasSuffix(".slice") else { return "/system.slice/" + unit }
            let name = unit.dropLast(".slice".count)
            guard name != "-" else { return "/" }
            var path = ""
            var prefix = ""
            for part in name.split(separator: "-") {
                prefix += prefix.isEmpty ? part : "-" + part
                path += "/" + prefix + ".slice"
            }
            return path
        }

        /// The compiled directory, its rules and an evaluator. A file that cannot be read
        /// or has errors ends the command (exit 2): the daemon would not apply it as it
        /// is, so no decision is made without it.
        func compile() throws -> CompiledPolicy {
            let outcome =
                PolicyDirectory.isDirectory(policyDirectory)
                ? try PolicyBuild.read(
                    PolicyDirectory(path: policyDirectory, vendorPath: vendorDirectory, requireTrusted: false))
                : try PolicyBuild.read([policyDirectory])
            let errors = outcome.diagnostics.filter { $0.severity == .error }
            guard errors.isEmpty else {
                for d in errors { printError(d.description) }
                printError("portcullis explain: no decision: \(policyDirectory) has \(errors.count) error(s)")
                throw ExitCode(2)
            }
            let compiled = try PolicyBuild.compile(outcome.files.flatMap(\.policies), generation: 1)
            for d in compiled.diagnostics { note(d.description) }
            if unit != nil || cgroup != nil {
                note("note: the process runs in cgroup \(cgroupPath)")
                if executable == nil {
                    note("note: without --exe, the process runs a program no rule names, with no arguments")
                }
            }
            return compiled
        }

        /// The acting task as the kernel knows it: its exec's record (none without
        /// --exe, unless --unit or --cgroup places it), its uid and its cgroup.
        var task: ImageEvaluator.Task {
            let placed = unit != nil || cgroup != nil
            guard executable != nil || placed else {
                var task = ImageEvaluator.Task.unrecorded
                task.uid = uid
                return task
            }
            return ImageEvaluator.Task(
                executable: executable.map(canonical) ?? "", arguments: executable == nil ? [] : arguments, uid: uid,
                cgroup: cgroupPath)
        }
    }

    struct Exec: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "May PATH be executed?")
        @OptionGroup var policies: Policies
        @Argument(help: "The program.") var path: String

        /// --arg gives PATH's arguments; --exe and --uid the caller.
        func run() throws {
            let compiled = try policies.compile()
            var caller = policies.task
            if caller.executable != nil { caller.arguments = [] }
            // The file's content as the kernel would hash it; unknown for a file that is not there.
            let content = ContentDigests.sha256(ofFile: path).map(ImageEvaluator.Content.known) ?? .unknown
            let steps = ImageEvaluator(compiled.image).execSteps(
                path: Array(canonical(path).utf8), identity: PolicyBuild.identify(path), content: content,
                caller: caller, arguments: policies.arguments)
            // A file the host cannot run without: a rule denying it must say so (denyCriticalFiles).
            let critical = CriticalFiles.current().file(at: canonical(path))
            if let critical, policies.format == .text {
                print("note: \(critical.path) is a critical file: \(critical.reason); a deny rule matching it must say `denyCriticalFiles: true`")
            }
            let late = steps.afterExec.map { $0 == steps.decision && $0 != .allow } ?? false
            let killed = if case .allow = steps.atHook, late, case .audit = steps.decision { "" } else { ": the program is killed before it runs" }
            let when = late ? " (once the exec completed, by its arguments\(killed))" : ""
            try report(
                steps.decision, compiled, "exec \(canonical(path))\(when)", format: policies.format, critical: critical)
        }
    }

    struct CapabilityUse: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "capability", abstract: "May the process (--exe, --arg, --uid) use CAPABILITY?")
        @OptionGroup var policies: Policies
        @Argument(help: "CAP_NET_ADMIN, net_admin, …") var capability: String
        @Flag(help: "Checked against a user namespace of the process's own (unshare -r, a rootless container), not the host's initial one.")
        var ownUserNamespace = false

        func validate() throws {
            guard Capability(name: capability) != nil else {
                throw ValidationError("unknown capability '\(capability)'")
            }
        }

        func run() throws {
            let cap = Capability(name: capability)!
            let compiled = try policies.compile()
            let decision = ImageEvaluator(compiled.image).capable(
                cap.number, by: policies.task, initialUserNamespace: !ownUserNamespace)
            let scope = ownUserNamespace ? " in a user namespace of its own" : ""
            try report(decision, compiled, "use of \(cap.name)\(scope)", format: policies.format)
        }
    }

    struct Mount: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "May the process (--exe, --arg, --uid) mount?")
        @OptionGroup var policies: Policies
        @Option(help: "The source as given to mount(2).") var source: String?
        @Option(help: "The mount point.") var target: String
        @Option(name: .customLong("type"), help: "The filesystem type.") var fstype: String?
        @Option(help: "Flags, comma-separated: bind, remount, move, recursive, ro, nosuid, nodev, noexec.")
        var flags: String = ""

        func run() throws {
            var bits: UInt64 = 0
            for name in flags.split(separator: ",") {
                guard let flag = MountFlag(rawValue: String(name)) else {
                    throw ValidationError("unknown flag '\(name)'")
                }
                bits |= Self.bit[flag]!
            }
            let compiled = try policies.compile()
            let call = ImageEvaluator.MountCall(source: source, target: canonical(target), fstype: fstype, flags: bits)
            try report(
                ImageEvaluator(compiled.image).mount(call, by: policies.task), compiled, "mount on \(call.target)",
                format: policies.format)
        }

        static let bit: [MountFlag: UInt64] = [
            .readOnly: 1, .noSuid: 2, .noDev: 4, .noExec: 8, .remount: 32, .bind: 4096, .move: 8192, .recursive: 16384,
        ]
    }
}

/// Prints the decision and the deciding rules; exit 1 for a deny (scripts can test it).
/// One decision, in text or as JSON; exit status 1 when it denies.
func report(
    _ decision: ImageEvaluator.Decision, _ compiled: CompiledPolicy, _ what: String, format: OutputFormat = .text,
    critical: CriticalFiles.File? = nil
) throws {
    let (verdict, rules): (String, [Int]) =
        switch decision {
        case .allow: ("allow", [])
        case .audit(let rules): ("audit", rules)
        case .deny(let rules): ("deny", rules)
        case .denyUnreadable: ("deny", [])
        }
    switch format {
    case .text:
        func describe(_ rules: [Int]) -> String {
            rules.map { index in
                let rule = compiled.rules[index]
                return "\n  rule \(index) of policy \(rule.policy) at \(rule.rule.source) (\(rule.action.rawValue))"
            }.joined()
        }
        switch decision {
        case .allow: print("allow: \(what): no rule applies")
        case .audit(let rules): print("audit: \(what) is allowed and recorded by:\(describe(rules))")
        case .deny(let rules): print("deny: \(what) is denied by:\(describe(rules))")
        case .denyUnreadable: print("deny: \(what): the path is too long to check whole (fail closed)")
        }
    case .json:
        let object = ExplainReport(
            decision: verdict, operation: what, unreadable: decision == .denyUnreadable,
            rules: rules.map { index in
                let rule = compiled.rules[index]
                return .init(
                    index: index, policy: rule.policy, action: rule.action.rawValue, file: rule.rule.source.file,
                    line: rule.rule.source.line, column: rule.rule.source.column)
            },
            critical: critical.map { .init(path: $0.path, reason: $0.reason) })
        print(try jsonLine(object))
    }
    if verdict == "deny" { throw ExitCode(1) }
}

/// `explain --format json`: the decision and the rules that made it, each with its place.
struct ExplainReport: Encodable {
    struct Rule: Encodable {
        var index: Int, policy: String, action: String, file: String, line: Int, column: Int
    }
    var decision: String
    var operation: String
    /// The path could not be read whole: denied, fail closed.
    var unreadable: Bool
    var rules: [Rule]
    /// exec: the program is one of the host's critical files (left out when it is not).
    var critical: CriticalFile?
}

/// A critical file (CriticalFiles) in JSON: its canonical path and why the host needs it.
struct CriticalFile: Encodable {
    var path: String, reason: String
}

/// The canonical path, as the kernel's d_path gives it; the path itself when it does not exist.
func canonical(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}

/// A line on standard error.
func printError(_ line: String) {
    _ = try? FileDescriptor.standardError.writeAll((line + "\n").utf8)
}
