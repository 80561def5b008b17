import ArgumentParser
import FoundationEssentials
import SystemPackage
import PortcullisDaemon
import PortcullisKernel

/// Reads the pins and the daemon's state file; needs no daemon.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what the kernel enforces: generation, policies, rules and their hit counts, last errors.",
        discussion: "Works with no daemon running: the kernel's pinned maps say what is in force.")

    @Option(name: .customLong("pin-root"), help: "Where the programs and maps are pinned.")
    var pinRoot = Pins.defaultRoot

    @Option(name: .customLong("runtime-dir"), help: "The daemon's runtime directory (its state file).")
    var runtimeDirectory = RuntimeDirectory.defaultPath

    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let pins = Pins(root: pinRoot)
        let kernel: PinnedStatus
        do {
            kernel = try PinnedStatus.read(pins: pins)
        } catch {
            _ = try? FileDescriptor.standardError.writeAll("portcullis status: \(error)\n".utf8)
            throw ExitCode(3)  // as `systemctl status` says "not running"
        }
        let state: DaemonState?
        do {
            state = try DaemonState.read(RuntimeDirectory(path: runtimeDirectory).stateFile)
        } catch {
            _ = try? FileDescriptor.standardError.writeAll("portcullis status: cannot read the state file: \(error)\n".utf8)
            state = nil
        }
        let report = StatusReport(kernel: kernel, pins: pins.directory, state: state)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }
}
