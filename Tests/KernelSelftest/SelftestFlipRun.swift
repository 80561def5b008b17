import Glibc
import PortcullisKernel
import PortcullisSelftest

/// One run of the flip selftest against the real programs: generation 1, then
/// workers executing, then generations 2...count, then every event and every
/// worker outcome checked.
struct FlipRun {
    let plan: FlipPlan
    let enforcer: Enforcer
    let root: String

    struct Result {
        var summary: [String]
        var problems: [String]
        var eventsChecked: Int
    }

    var stopFile: String { "\(root)/stop" }

    func run(count: UInt64, workers: Int) throws -> Result {
        let inbox = try EventInbox(enforcer)
        let ids = try enforcer.programIDs()
        var log = InstallLog()
        try install(1, into: &log)
        let started = try (0..<workers).map(startWorker)
        defer { stopWorkers() }  // on a failure too: the workers end by themselves
        try waitForExecs(atLeast: UInt64(workers))
        var problems: [String] = []
        for generation in 2...count {
            try install(generation, into: &log)
            if generation % 100 == 0, let changed = try changedProgramIDs(ids) { problems.append(changed) }
        }
        stopWorkers()
        let outcomes = try started.enumerated().flatMap { try finish($1, index: $0) }
        let events = try inbox.take(enforcer)

        if let changed = try changedProgramIDs(ids) { problems.append(changed) }
        if enforcer.installedGeneration() != count {
            let inForce = enforcer.installedGeneration().map(String.init) ?? "none"
            problems.append("generation in force \(inForce), expected \(count)")
        }
        problems += events.compactMap { event in
            let problem =
                log.mismatch(generation: event.generation, time: event.timeNanoseconds)
                ?? plan.mismatch(Report(event), generation: event.generation)
            return problem.map { "\($0) (pid \(event.tgid))" }
        }
        problems += outcomes.flatMap { check($0.path, $0.counts) }

        let total = outcomes.reduce(ExecCounts()) { $0 + $1.counts }
        let statistics = try enforcer.statistics()
        let generations = Set(events.map(\.generation)).count
        let summary = [
            "\(count) generations installed alternately (sets A and B), \(workers) workers, \(plan.paths.count) paths",
            "execs: \(total.ran + total.denied) (\(total.denied) denied, \(total.ran) ran)",
            "decision events checked: \(events.count), from \(generations) distinct generations, each made between "
                + "the install of its generation and the return of the next one",
            "kernel events: \(statistics.sent) sent, \(statistics.droppedByRateLimit) dropped by the rate limit, "
                + "\(statistics.droppedRingFull) for a full ring",
            "program ids unchanged: "
                + ids.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
        ]
        return Result(summary: summary, problems: problems, eventsChecked: events.count)
    }

    /// Installs `generation`, noting when the swap began and when it returned.
    func install(_ generation: UInt64, into log: inout InstallLog) throws {
        let started = Self.monotonicNow()
        try enforcer.install(plan.image(generation: generation))
        log.record(generation: generation, started: started, returned: Self.monotonicNow())
    }

    /// CLOCK_MONOTONIC in nanoseconds: the clock of the events' time stamps.
    static func monotonicNow() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    func changedProgramIDs(_ ids: [String: UInt32]) throws -> String? {
        let now = try enforcer.programIDs()
        return now == ids ? nil : "program ids changed: \(now), were \(ids)"
    }

    /// Problems with a worker's outcomes for `path`: only EPERM may refuse an exec,
    /// and each outcome must be one some generation allows.
    func check(_ path: String, _ counts: ExecCounts) -> [String] {
        var problems: [String] = []
        if counts.failed > 0 { problems.append("\(path): \(counts.failed) exec(s) failed otherwise than with EPERM") }
        if counts.ran > 0, let problem = plan.outcomeMismatch(path: path, ran: true) {
            problems.append("\(problem) (\(counts.ran) times)")
        }
        if counts.denied > 0, let problem = plan.outcomeMismatch(path: path, ran: false) {
            problems.append("\(problem) (\(counts.denied) times)")
        }
        return problems
    }

    func stopWorkers() { close(open(stopFile, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)) }

    func startWorker(_ index: Int) throws -> Spawned {
        let me = try SelftestFiles.canonicalPath("/proc/self/exe")
        let arguments =
            ["flip-worker", "--stop", stopFile, "--report", "\(root)/worker-\(index)"] + plan.paths
        switch Spawned.start(me, argv0: "portcullis", arguments: arguments, captureStderr: true) {
        case .success(let worker): return worker
        case .failure(let refused): throw SelftestFailure("starting a worker: \(refused.message)")
        }
    }

    /// Waits until the kernel has reported `count` decisions: the workers are executing.
    func waitForExecs(atLeast count: UInt64) throws {
        for _ in 0..<600 {
            if try enforcer.statistics().sent >= count { return }
            usleep(50_000)
        }
        throw SelftestFailure("the workers executed nothing in 30 s")
    }

    func finish(_ worker: Spawned, index: Int) throws -> [(path: String, counts: ExecCounts)] {
        let (status, stderr) = worker.wait()
        guard status == 0 else { throw SelftestFailure("worker \(index) exited with status \(status): \(stderr)") }
        return ExecCounts.parse(String(decoding: try SelftestFiles.read("\(root)/worker-\(index)"), as: UTF8.self))
    }
}
