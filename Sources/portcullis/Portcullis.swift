import ArgumentParser
import PortcullisDaemon

@main
struct Portcullis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portcullis",
        abstract: "Stops dangerous operations in the kernel: exec, mount and capability use (BPF-LSM).",
        version: PortcullisVersion.current,
        subcommands: [
            RunCommand.self, CheckCommand.self, CompileCommand.self, ExplainCommand.self, DoctorCommand.self,
            StatusCommand.self, EventsCommand.self, DisarmCommand.self,
        ])
}
