import ArgumentParser
import Glibc

/// Hidden, started by `selftest flips`: executes the paths round-robin until the
/// stop file appears, then writes its ExecCounts, one line per path.
struct SelftestFlipWorker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flip-worker", abstract: "Execute paths until told to stop (started by selftest flips).",
        shouldDisplay: false)

    @Option(help: "Stop once this file exists.") var stop: String
    @Option(help: "Where to write the counts.") var report: String
    @Argument(help: "Programs to execute (busybox copies, run as `true`).") var paths: [String]

    func run() throws {
        var counts = [ExecCounts](repeating: ExecCounts(), count: paths.count)
        while access(stop, F_OK) != 0 {
            for (i, path) in paths.enumerated() {
                switch Spawned.start(path, argv0: "true") {
                case .failure(let refused) where refused.code == EPERM: counts[i].denied += 1
                case .failure: counts[i].failed += 1
                case .success(let child):
                    if child.wait().status == 0 { counts[i].ran += 1 } else { counts[i].failed += 1 }
                }
            }
        }
        let text = zip(paths, counts).map { "\($0) \($1.ran) \($1.denied) \($1.failed)\n" }.joined()
        try SelftestFiles.write(Array(text.utf8), to: report)
    }
}

/// How a worker's executions of one path went. FAILED: refused with another errno
/// than EPERM, or ran and exited non-zero.
struct ExecCounts {
    var ran = 0
    var denied = 0
    var failed = 0

    static func + (a: Self, b: Self) -> Self {
        ExecCounts(ran: a.ran + b.ran, denied: a.denied + b.denied, failed: a.failed + b.failed)
    }

    /// A worker's report: lines `PATH RAN DENIED FAILED`.
    static func parse(_ text: String) -> [(path: String, counts: ExecCounts)] {
        text.split(separator: "\n").map { line in
            let fields = line.split(separator: " ").map(String.init)
            let n = fields.dropFirst().map { Int($0) ?? 0 } + [0, 0, 0]
            return (fields[0], ExecCounts(ran: n[0], denied: n[1], failed: n[2]))
        }
    }
}
