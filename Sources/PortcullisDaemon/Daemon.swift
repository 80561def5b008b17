import Dispatch
import Glibc
import PortcullisGeneration
import PortcullisCompiler
import PortcullisJournal
import PortcullisKernel
import PortcullisPolicy
import PortcullisSystem
import SystemPackage

/// portcullis run: programs attached once and pinned; every change to the
/// policy directory becomes a whole new generation swapped into the kernel.
/// What happens, decisions included, goes to the audit trail; systemd hears
/// of it through sd_notify; the runtime directory tells `portcullis status`
/// and `portcullis events`.
public final class Daemon: @unchecked Sendable {
    private let configuration: DaemonConfiguration
    private var directory: PolicyDirectory { configuration.directory }
    private let journal: any AuditSink
    private let queue = DispatchQueue(label: "portcullis.daemon")
    private let enforcer: any KernelEnforcement
    /// Reads, reconciles and compiles the directory; reuses what did not change.
    private(set) var builder: GenerationBuilder
    private var generation: UInt64 = 0
    /// What tells the image this daemon installed last from another (not the image
    /// itself: the kernel has it), and its rules.
    private var installed: ImageFingerprint?
    private var installedRules: [CompiledRule] = []
    /// The files of the generation this daemon installed last, by path.
    private var appliedFiles: [String: PolicyFile] = [:]
    private var replacedOtherABIs = false
    /// The generation in force, as the service status names it.
    private var inForce = "no generation yet"
    /// The service status: what is in force, and whether the last change failed.
    private var status = ""
    /// READY=1 was sent: the first generation is in the kernel.
    private var isReady = false
    private var watchers: [DirectoryWatcher] = []
    private var execFiles: ExecFileWatch?
    private var events: AnyObject?
    private var decisions = DecisionReport()
    private var sources: [any DispatchSourceProtocol] = []
    private var state: DaemonState
    private var feed: DecisionFeed?
    private var dropReportPending = false
    /// Enforcement is locked until reboot (`run --lock`).
    private var locked = false
    private var pinWatch: PinWatch?
    private var dropReports = DropReports()
    /// What was last written about each file and about the compile: written again only when it changes.
    private var fileReports = FileReports()
    private var compileReports = CompileReports()
    /// The first generation built once while the programs load (warm(_:)); waited for before the real build.
    private var warming: DispatchGroup?

    /// `kernel`: the kernel side; by default the programs pinned under
    /// `configuration.pins`, attached or adopted (host tests pass a fake).
    public init(
        _ configuration: DaemonConfiguration, journal: any AuditSink, kernel: (any KernelEnforcement)? = nil
    ) throws(BPFError) {
        self.configuration = configuration
        self.journal = journal
        builder = GenerationBuilder(
            directory: configuration.directory,
            digests: configuration.cache.map { store in
                ContentDigests(store: store) { problem in journal.write(.cacheUnavailable(store.directory, problem)) }
            } ?? .shared)
        let pins = configuration.pins
        let directory = configuration.directory
        if let kernel {
            enforcer = kernel
        } else {
            warming = Self.warm(builder)
            enforcer = try Enforcer(pins: pins)
        }
        generation = enforcer.installedGeneration() ?? 0
        if generation != 0 { inForce = "generation \(generation) in force (applied before this daemon started)" }
        state = DaemonState(pid: getpid(), policyDirectory: directory.path, generation: generation)
        journal.write(
            .started(
                directory: directory.path, start: enforcer.start.rawValue, pins: pins.directory,
                inForce: generation, programIDs: (try? enforcer.programIDs()) ?? [:],
                verifier: enforcer.verifierCosts))
    }

    /// Builds the directory's first generation once on another thread, while
    /// this one loads the programs (the kernel verifies them: seconds under
    /// emulation), and drops it: what the build reads and hashes (the files
    /// literal rules name, for their content; the host's critical files) is
    /// then in ContentDigests' and CriticalFiles' caches, and its automata in
    /// the pattern cache the daemon's builder shares, when the daemon builds
    /// the generation for real. Nothing of it is installed or reported.
    private static func warm(_ builder: GenerationBuilder) -> DispatchGroup {
        _ = Heap.useOneArena()  // before a second thread allocates (run(signals:))
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            var copy = builder
            _ = try? copy.build(generation: 1)
        }
        return group
    }

    /// The signals the daemon acts on, read by `run` (SignalReader: block them first thing).
    public static let signals = [SIGHUP, SIGTERM, SIGINT]

    /// Applies the directory once, then follows it (and SIGHUP) until SIGTERM
    /// or SIGINT, read from `signals` on the calling thread. Never returns.
    public func run(signals: SignalReader) throws -> Never {
        // Before the queue's threads start: what generations keep is not spread over arenas.
        Heap.useOneArena()
        try queue.sync {
            startWatchdog()
            followHostMounts()
            events = try enforcer.deliverEvents(on: queue) { [weak self] event in self?.report(event) }
            scheduleDropReport()
            startRuntime()
            execFiles = ExecFileWatch(queue: queue) { [weak self] in self?.reload() }
            // Watch first, then read: a change made while the first generation is
            // built is queued and compiled after it, never missed.
            // The admin's directory and the vendor's: a change in either is a new generation.
            for path in [directory.path] + (directory.vendorPath.map { [$0] } ?? []) {
                let watcher = try DirectoryWatcher(
                    path: path, queue: queue, debounce: configuration.debounce,
                    counts: PolicyDirectory.isPolicyFile,
                    onOverflow: { [weak self] in self?.overflowed() }
                ) { [weak self] in
                    self?.reload()
                }
                watcher.start()
                watchers.append(watcher)
            }
            warming?.wait()  // its caches complete: the build below reads nothing twice
            warming = nil
            reload()
            startRepair()
        }
        while true {
            guard let signal = try? signals.next() else { continue }
            queue.async { [self] in act(on: signal) }
        }
    }

    /// Reads, reconciles, compiles and installs; on any failure the kernel keeps what it has.
    /// A result equal to what is in force is not installed again, unless `force` (SIGHUP).
    func reload(force: Bool = false) {
        // What the compile allocated goes back to the kernel, whatever the outcome.
        defer { Heap.returnFreeMemory() }
        var timings = ReloadTimings()
        let files: [PolicyFile]
        let outcome: Reconciler.Outcome
        do {
            (files, outcome) = try builder.read()
        } catch {
            failed(.generationFailed(error.description, kept: generation))
            return
        }
        for (path, report) in fileReports.changed(files: files, outcome: outcome, all: force) {
            for d in report.diagnostics { journal.write(.diagnostic(d)) }
            if report.status == .keptLastGood { journal.write(.lastGoodKept(path)) }
            if report.status == .refused { journal.write(.refused(path)) }
        }
        state.reconciled(outcome, current: files)
        timings.lap(\.read)
        let next = generation + 1
        hold(at: .compile, of: next)
        // Watched before the compile reads their identities: a file replaced in between recompiles.
        let resolved = SymlinkResolution.resolve(outcome.files.flatMap(\.policies))
        execFiles?.follow(resolved)
        let compiled: CompiledPolicy
        let compiledFiles: [PolicyFile]
        do {
            let result = try builder.compile(
                files: outcome.files, resolved: resolved, applied: appliedFiles, generation: next)
            (compiled, compiledFiles) = (result.compiled, result.files)
            for (path, error) in result.setAside {
                journal.write(.setAside(path, error, keptVersion: appliedFiles[path] != nil))
            }
        } catch {
            failed(.generationFailed(error.description, kept: generation, at: error.rule.source))
            return
        }
        let policies = compiledFiles.flatMap(\.policies)
        for d in compileReports.changed(compiled.diagnostics, all: force) { journal.write(.diagnostic(d)) }
        let fingerprint = ImageFingerprint(compiled.image)
        timings.lap(\.compile)
        guard force || fingerprint != installed else { return saveState() }  // nothing changed
        if locked {
            let weakenings = Weakening.of(compiled.rules, against: installedRules)
            guard weakenings.isEmpty else {
                let entry = JournalEntry.weakeningRefused(weakenings, generation: next, kept: generation)
                return failed(entry)
            }
        }
        let views: TaskViews
        do {
            views = try enforcer.install(
                compiled.image, subjectViews: compiled.subjectViews, beforeFill: { hold(at: .fill, of: next) },
                beforeSwap: {
                    timings.lap(\.swap)
                    hold(at: .swap, of: next)
                })
        } catch {
            failed(.generationFailed(error.description, kept: generation))
            return
        }
        if !replacedOtherABIs {
            // This ABI enforces now: pins an older portcullis left can go.
            for pin in enforcer.removeOtherABIs() { journal.write(.otherABIRemoved(pin)) }
            replacedOtherABIs = true
        }
        generation = next
        appliedFiles = Dictionary(compiledFiles.map { ($0.path, $0) }, uniquingKeysWith: { $1 })
        installed = fingerprint
        installedRules = compiled.rules
        decisions.remember(compiled.rules, of: next)
        state.applied(compiled, generation: next, files: outcome.files, at: Self.now())
        saveState()
        let summary = GenerationSummary(
            generation: next, policies: policies.map(\.name), rules: compiled.rules.count,
            files: outcome.files.count, execStates: compiled.execStates)
        journal.write(.applied(summary, programIDs: (try? enforcer.programIDs()) ?? [:], timings: timings, views: views))
        inForce = summary.description
        status = inForce
        if configuration.lock && !locked { lock() }
        if isReady {
            SystemdNotify.status(status)
        } else {
            SystemdNotify.ready(status: status)
            isReady = true
        }
    }

    /// One decision from the kernel, naming the rule (policy, file:line) that made it.
    func report(_ event: DecisionEvent) {
        scheduleDropReport()
        let entry = JournalEntry.decision(decisions.decision(for: event))
        journal.write(entry)
        feed?.publish(entry)
        if event.hook.isGuard && event.decision == .deny {
            state.tampered(entry.message, repaired: false, at: Self.now())
            saveState()
        }
    }

    /// Locks enforcement until reboot, once the first generation is in force. A
    /// failure is logged, and tried again after the next generation.
    private func lock() {
        do {
            try enforcer.lock()
        } catch {
            return failed(.generationFailed("locking enforcement: \(error)", kept: generation))
        }
        locked = true
        state.locked = true
        saveState()
        journal.write(.locked(pins: configuration.pins.directory))
    }

    /// Tamper protection's self-repair: pins removed or replaced are seen at once
    /// (inotify on their directories; where that cannot be had, a check every half
    /// second), and every second the policy slot must hold this daemon's image.
    /// What was put back is logged as an alert.
    private func startRepair() {
        pinWatch = try? PinWatch(pins: configuration.pins, queue: queue) { [weak self] in
            self?.repairTampering(pins: true)
        }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let period: DispatchTimeInterval = pinWatch == nil ? .milliseconds(500) : .seconds(1)
        timer.schedule(deadline: .now() + period, repeating: period)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            self.repairTampering(pins: self.pinWatch == nil)
        }
        timer.resume()
        sources.append(timer)
        repairTampering(pins: true)  // anything changed before the watch was in place
    }

    /// Puts back the pins (with `pins`) and the generation in force; logs what it found.
    private func repairTampering(pins: Bool) {
        let found = pins ? enforcer.repair() : enforcer.repairGeneration()
        guard !found.isEmpty else { return }
        // The state file first: whoever reads the entry and then the status sees it counted.
        state.tampered(found.joined(separator: "; "), repaired: true, at: Self.now())
        saveState()
        journal.write(.tamperRepaired(found))
    }

    /// A change that could not be applied: logged, and in the service status. The
    /// first time, READY=1 all the same: a missing, unsafe or broken policy
    /// directory must never hold up boot (the unit runs before sysinit.target);
    /// the daemon follows the directory and applies it once it can.
    private func failed(_ entry: JournalEntry) {
        journal.write(entry)
        state.failed(entry.message)
        saveState()
        status = "\(inForce); the last change was not applied: \(entry.message)"
        if isReady {
            SystemdNotify.status(status)
        } else {
            SystemdNotify.ready(status: status)
            isReady = true
        }
    }

    private func overflowed() {
        journal.write(.watchOverflowed(directory.path))
    }

    /// `--test-hold`: stops here, for good, before `step` of any generation after this daemon's first.
    private func hold(at step: TestHold, of next: UInt64) {
        guard configuration.hold == step, installed != nil else { return }
        journal.write(.testHold(step.rawValue, generation: next))
        while true { pause() }
    }

    /// Opens the runtime directory's decision feed; without it, the daemon still enforces.
    private func startRuntime() {
        guard let runtime = configuration.runtime else { return }
        do {
            try runtime.create()
            let feed = try DecisionFeed(path: runtime.eventsSocket, queue: queue)
            feed.start()
            self.feed = feed
        } catch {
            journal.write(.runtimeUnavailable(runtime.path, "\(error)"))
        }
    }

    /// Writes the state file for `portcullis status`.
    private func saveState() {
        guard let runtime = configuration.runtime else { return }
        do {
            try state.write(to: runtime.stateFile)
        } catch {
            journal.write(.runtimeUnavailable(runtime.path, "cannot write \(runtime.stateFile): \(error)"))
        }
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// SIGHUP: read the whole directory again, as systemd's reload.
    private func rescan() {
        guard isReady else { return reload() }
        SystemdNotify.reloading()
        reload(force: true)
        SystemdNotify.ready(status: status)
    }

    private func stop(_ signal: String) -> Never {
        SystemdNotify.stopping()
        journal.write(.stopping(signal: signal))
        exit(0)
    }

    /// SIGHUP reloads, SIGTERM and SIGINT stop (locked: only at shutdown).
    private func act(on signal: Int32) {
        switch signal {
        case SIGHUP: rescan()
        case SIGTERM, SIGINT:
            let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
            if stopAllowed(on: name) { stop(name) }
        default: break
        }
    }

    /// Whether a stop signal is heeded. Unlocked, always. Locked, only when PID 1
    /// says the system is shutting down (the kernel lets nobody else signal this
    /// process, and PID 1 only with SIGTERM): `systemctl stop` or `kill` of a
    /// locked daemon is refused and logged, and it goes on. At shutdown PID 1 may
    /// then send it any signal, should it be slow to exit. A PID 1 that cannot be
    /// asked is no shutdown (fail closed: the daemon stays).
    func stopAllowed(on signal: String) -> Bool {
        guard locked else { return true }
        let systemState = configuration.systemState()
        guard systemState == "stopping" else {
            let entry = JournalEntry.stopRefused(signal: signal, systemState: systemState)
            state.tampered(entry.message, repaired: false, at: Self.now())
            saveState()  // before the entry: whoever reads the entry finds the count
            journal.write(entry)
            return false
        }
        try? enforcer.allowShutdownSignals()  // failing, PID 1 has SIGTERM, which this stop heeds
        return true
    }

    /// 10 s after start-up, and 10 s after decision events arrive, an entry for the
    /// events the kernel had to drop since the last one, and 10 s later again
    /// while there were some (DropReports: the end of a storm sends no event).
    /// Drops happen only while events flow (rate limits) or while nobody reads (a
    /// full ring buffer, counted from the programs' load): an idle daemon never
    /// wakes up for them.
    private func scheduleDropReport() {
        guard !dropReportPending else { return }
        dropReportPending = true
        queue.asyncAfter(deadline: .now() + 10) { [weak self] in
            guard let self else { return }
            self.dropReportPending = false
            guard let now = try? self.enforcer.statistics() else { return }
            let (dropped, again) = self.dropReports.check(now)
            if dropped > 0 { self.journal.write(.eventsDropped(dropped)) }
            if again { self.scheduleDropReport() }
        }
    }

    /// Keeps the kernel's copy of the host's mount table current (host paths are read
    /// under the mounts it lists): the kernel signals a change of /proc/self/mountinfo
    /// with EPOLLPRI, and the table is read again and written when it changed. Where
    /// that cannot be watched, it is read again every second. A failure is logged
    /// once until the table is written again.
    private func followHostMounts() {
        var failing = false
        let refresh = { [weak self] in
            guard let self else { return }
            do {
                try self.enforcer.refreshHostMounts()
                failing = false
            } catch {
                if !failing { self.journal.write(.hostMountsFailed("\(error)")) }
                failing = true
            }
        }
        do {
            let mountinfo = try FileDescriptor.open("/proc/self/mountinfo", .readOnly, options: .closeOnExec)
            let epoll = try Epoll.watching(mountinfo, events: Epoll.priority)
            let source = DispatchSource.makeReadSource(fileDescriptor: epoll.rawValue, queue: queue)
            source.setEventHandler {
                _ = try? Epoll.drain(epoll)
                refresh()
            }
            source.setCancelHandler {
                try? epoll.close()
                try? mountinfo.close()
            }
            source.resume()
            sources.append(source)
        } catch {
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + 1, repeating: 1)
            timer.setEventHandler(handler: refresh)
            timer.resume()
            sources.append(timer)
        }
    }

    /// WATCHDOG=1 at half the unit's WatchdogSec=, when it has one.
    private func startWatchdog() {
        guard let interval = SystemdNotify.watchdogInterval() else { return }
        let (seconds, attoseconds) = (interval / 2).components
        let period = DispatchTimeInterval.nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now(), repeating: period)
        timer.setEventHandler { SystemdNotify.watchdog() }
        timer.resume()
        sources.append(timer)
    }
}
