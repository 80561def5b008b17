// portcullis-bench daemon DIR RUNTIME: the daemon itself (`Daemon.run`, its
// queue, watchers, state file and reloads) on DIR, with a kernel side that
// keeps no image (the real one keeps only the map's descriptor), so its
// resident set can be read from outside as the VM's footprint bench reads it
// (scripts/bench-footprint-host). The audit trail goes to standard output as
// JSON lines. Runs until SIGTERM or SIGINT.
import PortcullisDaemon
import PortcullisFakeKernel
import PortcullisGeneration
import PortcullisJournal
import PortcullisKernel
import PortcullisSystem

func runDaemon(directory: String, runtime: String) throws -> Never {
    let signals = try SignalReader(blocking: Daemon.signals)
    let configuration = DaemonConfiguration(
        directory: PolicyDirectory(path: directory, requireTrusted: false), pins: Pins(root: runtime + "/pins"),
        runtime: RuntimeDirectory(path: runtime))
    try Daemon(configuration, journal: JSONLinesSink(), kernel: FakeKernel(keepsImages: false)).run(signals: signals)
}
