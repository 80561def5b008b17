import ArgumentParser
import PortcullisKernel

/// Proofs run inside the VM tests against the real programs, with no daemon: a
/// test tool of its own, built next to portcullis and never packaged.
@main
struct KernelSelftest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portcullis-selftest",
        abstract:
            "Prove in the kernel that generation swaps are atomic and that it decides as the reference evaluator.",
        subcommands: [SelftestFlipsCommand.self, SelftestDifferentialCommand.self, SelftestFlipWorker.self])
}

/// What both selftests need: where to pin, where to put their programs, and the busybox they copy.
struct SelftestOptions: ParsableArguments {
    @Option(
        name: .customLong("pin-root"),
        help: "Where the selftest pins its programs and maps (bpffs); removed at the end.")
    var pinRoot = "/sys/fs/bpf/pc-selftest"

    @Option(
        help: "A scratch directory for the programs executed, created if missing (a tmpfs gives plain file identities)."
    )
    var root: String

    @Option(help: "A static busybox: its copies are the programs executed (applet true, ip, mknod).")
    var busybox = "/bin/busybox"
}

/// A selftest that could not run or did not pass; the message says why.
struct SelftestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The real Enforcer, pinned under the selftest's own root and disarmed at the end
/// whatever happens. A live enforcer's pins are never touched.
enum SelftestKernel {
    static func withEnforcer<T>(pinRoot: String, _ body: (Enforcer) throws -> T) throws -> T {
        let pins = Pins(root: pinRoot)
        guard pins.root != Pins.defaultRoot else {
            throw SelftestFailure("--pin-root \(pinRoot) is where the daemon pins; choose another")
        }
        guard !SelftestFiles.exists(pinRoot) else {
            throw SelftestFailure(
                "\(pinRoot) exists (an earlier run's pins?); remove it with: portcullis disarm --pin-root \(pinRoot)")
        }
        let enforcer: Enforcer
        do {
            enforcer = try Enforcer(pins: pins)
        } catch {
            Enforcer.disarm(pins: pins)
            throw error
        }
        defer {
            enforcer.releaseLinks()
            Enforcer.disarm(pins: pins)
        }
        return try body(enforcer)
    }
}
