import ArgumentParser
import PortcullisDaemon
import PortcullisJournal
import PortcullisKernel

struct DisarmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disarm",
        abstract: "Detach the programs and remove every pinned map: enforcement ends.",
        discussion: """
            Stop the daemon first (systemctl stop portcullis): while it runs it puts removed pins back. \
            Refused on a locked host (`run --lock`) until reboot. Logged to the journal either way.
            """)

    @Option(name: .customLong("pin-root"), help: "Where the programs and maps are pinned.")
    var pinRoot = Pins.defaultRoot

    @Option(name: .customLong("runtime-dir"), help: "The daemon's runtime directory (its state file names its pid).")
    var runtimeDirectory = RuntimeDirectory.defaultPath

    func run() throws {
        let pins = Pins(root: pinRoot)
        if pinRoot == Pins.defaultRoot,
            let state = try? DaemonState.read(RuntimeDirectory(path: runtimeDirectory).stateFile),
            StatusReport.isRunning(state.pid)
        {
            refuse("the daemon (pid \(state.pid)) is running and would put the pins back: stop it first (systemctl stop portcullis)", pins)
        }
        let (removed, stillLoaded) = Enforcer.disarm(pins: pins)
        for pin in removed { print("removed \(pin)") }
        if Enforcer.anythingPinned(pins) {
            refuse("pins under \(pinRoot) could not be removed: enforcement is locked until reboot (run --lock)", pins)
        }
        guard stillLoaded.isEmpty else {
            refuse("programs \(stillLoaded.map(String.init).joined(separator: ", ")) are still loaded: something else holds them", pins)
        }
        if !removed.isEmpty { log(.disarmed(removed: removed.count, refused: nil, pins: pins.directory)) }
        print(removed.isEmpty ? "nothing was pinned under \(pinRoot)" : "disarmed: enforcement removed")
    }

    private func refuse(_ reason: String, _ pins: Pins) -> Never {
        log(.disarmed(removed: 0, refused: reason, pins: pins.directory))
        print("disarm refused: \(reason)")
        Self.exit(withError: ExitCode(1))
    }

    /// To journald when it is there; without it (a bare VM), nowhere but the output above.
    private func log(_ entry: JournalEntry) {
        if LogTarget.journalIsAvailable { JournaldSink().write(entry) }
    }
}
