import ArgumentParser
import Dispatch
import PortcullisDaemon
import PortcullisJournal
import PortcullisKernel

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Attach the BPF-LSM programs and enforce the policy directory, following its changes.")

    @Option(name: .customLong("policy-dir"), help: "The directory of YAML policy drop-ins.")
    var policyDirectory = "/etc/policies.d"

    @Option(name: .customLong("pin-root"), help: "Where the programs and maps are pinned (bpffs).")
    var pinRoot = Pins.defaultRoot

    @Option(
        name: .customLong("runtime-dir"),
        help: "Where the state file (for `portcullis status`) and the decision feed (for `portcullis events`) go.")
    var runtimeDirectory = RuntimeDirectory.defaultPath

    @Option(
        name: .customLong("debounce-ms"),
        help: "How long the policy directory must be quiet, in milliseconds, before it is compiled (0 to 60000).")
    var debounceMilliseconds = 100

    @Option(
        help: """
            Where the audit trail goes: journal (journald), json (JSON lines on standard output), \
            or auto (journald when its socket exists).
            """)
    var logTarget: LogTarget = .auto

    @Option(name: .customLong("test-hold"), help: .hidden)
    var testHold: TestHold?

    func validate() throws {
        guard (0...60_000).contains(debounceMilliseconds) else {
            throw ValidationError("--debounce-ms must be between 0 and 60000, not \(debounceMilliseconds)")
        }
        guard runtimeDirectory.hasPrefix("/") else {
            throw ValidationError("--runtime-dir must be an absolute path, not \(runtimeDirectory)")
        }
    }

    func run() throws {
        let configuration = DaemonConfiguration(
            directory: PolicyDirectory(path: policyDirectory), pins: Pins(root: pinRoot),
            runtime: RuntimeDirectory(path: runtimeDirectory), debounce: .milliseconds(debounceMilliseconds),
            hold: testHold)
        try Daemon(configuration, journal: logTarget.makeSink()).run()
    }
}

extension LogTarget: ExpressibleByArgument {}
extension TestHold: ExpressibleByArgument {}
