import ArgumentParser
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
        help: """
            Where the audit trail goes: journal (journald), json (JSON lines on standard output), \
            or auto (journald when its socket exists).
            """)
    var logTarget: LogTarget = .auto

    func run() throws {
        let daemon = try Daemon(
            directory: PolicyDirectory(path: policyDirectory), journal: logTarget.makeSink(),
            pins: Pins(root: pinRoot))
        try daemon.run()
    }
}

extension LogTarget: ExpressibleByArgument {}
