import ArgumentParser
import PortcullisKernel

struct DisarmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disarm",
        abstract: "Detach the programs and remove every pinned map: enforcement ends.",
        discussion: "Stop the daemon first (systemctl stop portcullis); a running daemon keeps writing to maps no program reads.")

    @Option(name: .customLong("pin-root"), help: "Where the programs and maps are pinned.")
    var pinRoot = Pins.defaultRoot

    func run() throws {
        let (removed, stillLoaded) = Enforcer.disarm(pins: Pins(root: pinRoot))
        for pin in removed { print("removed \(pin)") }
        guard stillLoaded.isEmpty else {
            print("programs \(stillLoaded.map(String.init).joined(separator: ", ")) are still loaded: something else holds them")
            throw ExitCode(1)
        }
        print(removed.isEmpty ? "nothing was pinned under \(pinRoot)" : "disarmed: enforcement removed")
    }
}
