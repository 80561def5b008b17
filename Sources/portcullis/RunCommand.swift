import ArgumentParser
import Dispatch
import PortcullisDaemon
import PortcullisGeneration
import PortcullisJournal
import PortcullisKernel
import PortcullisSystem

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Attach the BPF-LSM programs and enforce the policy directory, following its changes.")

    @Option(name: .customLong("policy-dir"), help: "The directory of YAML policy drop-ins.")
    var policyDirectory = "/etc/policies.d"

    @Option(
        name: .customLong("vendor-dir"),
        help: "The directory of policies packages ship; a file of the same name in --policy-dir overrides one, a symlink to /dev/null masks it.")
    var vendorDirectory = PolicyDirectory.defaultVendorPath

    @Option(name: .customLong("pin-root"), help: "Where the programs and maps are pinned (bpffs).")
    var pinRoot = Pins.defaultRoot

    @Option(
        name: .customLong("runtime-dir"),
        help: "Where the state file (for `portcullis status`) and the decision feed (for `portcullis events`) go.")
    var runtimeDirectory = RuntimeDirectory.defaultPath

    @Option(
        name: .customLong("cache-dir"),
        help: "Where the content digests of the files literal rules name are kept across restarts, so a start reads only the files that changed.")
    var cacheDirectory = ContentDigestStore.defaultDirectory

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

    @Flag(
        help: """
            Lock enforcement until reboot once the first generation is in force: the pins, their bpffs and the \
            daemon are out of reach, and a change that would weaken enforcement is refused. \
            Also `lock = yes` in the configuration file.
            """)
    var lock = false

    @Option(name: .customLong("config"), help: "The daemon's configuration file (read when it exists).")
    var configurationFile = SettingsFile.defaultPath

    @Option(name: .customLong("test-hold"), help: .hidden)
    var testHold: TestHold?

    func validate() throws {
        guard (0...60_000).contains(debounceMilliseconds) else {
            throw ValidationError("--debounce-ms must be between 0 and 60000, not \(debounceMilliseconds)")
        }
        guard runtimeDirectory.hasPrefix("/") else {
            throw ValidationError("--runtime-dir must be an absolute path, not \(runtimeDirectory)")
        }
        guard cacheDirectory.hasPrefix("/") else {
            throw ValidationError("--cache-dir must be an absolute path, not \(cacheDirectory)")
        }
    }

    func run() throws {
        // Before any thread starts: every thread inherits the mask, so these signals wait to be read.
        let signals = try SignalReader(blocking: Daemon.signals)
        let journal = logTarget.makeSink()
        // A configuration file that cannot be read or trusted is reported, and the
        // daemon enforces anyway with the options given: never no enforcement at boot.
        var settings = SettingsFile()
        do {
            settings = try SettingsFile.read(configurationFile)
        } catch {
            journal.write(.settingsIgnored("\(error)"))
        }
        let configuration = DaemonConfiguration(
            directory: PolicyDirectory(path: policyDirectory, vendorPath: vendorDirectory), pins: Pins(root: pinRoot),
            runtime: RuntimeDirectory(path: runtimeDirectory), cache: ContentDigestStore(directory: cacheDirectory),
            debounce: .milliseconds(debounceMilliseconds),
            hold: testHold, lock: lock || settings.lock == true)
        try Daemon(configuration, journal: journal).run(signals: signals)
    }
}

extension LogTarget: ExpressibleByArgument {}
extension TestHold: ExpressibleByArgument {}
