import ArgumentParser
import PortcullisDaemon

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Attach the BPF-LSM programs and enforce the policy directory, following its changes.")

    @Option(name: .customLong("policy-dir"), help: "The directory of YAML policy drop-ins.")
    var policyDirectory = "/etc/policies.d"

    func run() throws {
        let daemon = try Daemon(directory: PolicyDirectory(path: policyDirectory))
        try daemon.run()
    }
}
