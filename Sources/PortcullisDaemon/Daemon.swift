import Dispatch
import Glibc
import PortcullisCompiler
import PortcullisKernel
import PortcullisPolicy

/// portcullis run: programs attached once; every change to the policy
/// directory becomes a whole new generation swapped into the kernel.
public final class Daemon: @unchecked Sendable {
    private let directory: PolicyDirectory
    private let queue = DispatchQueue(label: "portcullis.daemon")
    private let enforcer: Enforcer
    private var reconciler = Reconciler()
    private var generation: UInt64 = 0
    /// The image this daemon installed last.
    private var installed: PolicyImage?
    private var replacedOtherABIs = false
    private var watcher: DirectoryWatcher?
    private var execFiles: ExecFileWatch?
    private var signals: [DispatchSourceSignal] = []
    private var events: EventReader?
    private var statisticsTimer: DispatchSourceTimer?
    private var reported = EventStatistics()
    /// The rules of recent generations, to name the rule of each decision event.
    private var rulesByGeneration: [UInt64: [CompiledRule]] = [:]

    public init(directory: PolicyDirectory, pins: Pins = Pins()) throws(BPFError) {
        self.directory = directory
        enforcer = try Enforcer(pins: pins)
        generation = enforcer.installedGeneration() ?? 0
        let ids = (try? enforcer.programIDs()) ?? [:]
        DaemonLog.write(
            .info, "programs \(enforcer.start.rawValue)",
            [
                "pins": pins.directory, "generation_in_force": String(generation),
                "prog_ids": Self.describe(ids),
            ])
    }

    static func describe(_ ids: [String: UInt32]) -> String {
        ids.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
    }

    /// Applies the directory once, then follows it until SIGTERM or SIGINT. Never returns.
    public func run() throws -> Never {
        try queue.sync {
            execFiles = ExecFileWatch(queue: queue) { [weak self] in self?.reload() }
            reload()
            let watcher = try DirectoryWatcher(path: directory.path, queue: queue) { [weak self] in
                self?.reload()
            }
            watcher.start()
            self.watcher = watcher

            events = try enforcer.readEvents(on: queue) { [weak self] event in self?.report(event) }
            startStatisticsTimer()
            for sig in [SIGTERM, SIGINT] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler {
                    DaemonLog.write(
                        .info, "stopping; enforcement stays pinned (portcullis disarm removes it)",
                        ["signal": String(sig)])
                    exit(0)
                }
                source.resume()
                signals.append(source)
            }
        }
        dispatchMain()
    }

    /// Logs one decision, naming the rule (policy, file:line) that made it.
    func report(_ event: DecisionEvent) {
        let rule = event.rule.flatMap { index in rulesByGeneration[event.generation].flatMap { $0.indices.contains(index) ? $0[index] : nil } }
        let target: String
        switch event.hook {
        case .exec, .mmapExec: target = event.path ?? "?"
        case .capable: target = event.capability.map(capabilityName) ?? "?"
        case .mount:
            target = "\(event.mountSource.map { $0.isEmpty ? "" : $0 + " on " } ?? "")\(event.path ?? "?")"
                + " type=\(event.mountFilesystem ?? "") flags=0x\(String(event.mountFlags ?? 0, radix: 16))"
        case .unknown: target = event.path ?? "?"
        }
        let decider = rule.map { "policy \($0.policy) at \($0.rule.source)" }
            ?? (event.pathUnreadable ? "the path could not be read whole (fail closed)" : "no rule")
        let fields: KeyValuePairs<String, String> = [
            "decision": event.decision.rawValue, "hook": event.hook.rawValue, "target": target,
            "pid": String(event.tgid), "tid": String(event.pid), "uid": String(event.uid), "comm": event.comm,
            "generation": String(event.generation), "rule": event.rule.map(String.init) ?? "none",
            "policy": rule?.policy ?? "", "source": rule.map { "\($0.rule.source)" } ?? "",
            "cgroup_id": String(event.cgroupID),
        ]
        DaemonLog.write(
            .warning, "\(event.decision.rawValue) \(event.hook.rawValue) \(target) by \(event.comm)[\(event.tgid)]: \(decider)",
            fields)
    }

    func capabilityName(_ number: Int) -> String {
        Capability.validNames.indices.contains(number) ? Capability.validNames[number] : "capability \(number)"
    }

    /// Every 10 s, reports events the kernel had to drop since the last report.
    func startStatisticsTimer() {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + 10, repeating: 10)
        timer.setEventHandler { [weak self] in
            guard let self, let now = try? self.enforcer.statistics() else { return }
            let rate = now.droppedByRateLimit - self.reported.droppedByRateLimit
            let full = now.droppedRingFull - self.reported.droppedRingFull
            if rate > 0 || full > 0 {
                DaemonLog.write(
                    .warning, "decision events dropped",
                    ["rate_limited": String(rate), "ring_full": String(full)])
            }
            self.reported = now
        }
        timer.resume()
        statisticsTimer = timer
    }

    /// Reads, reconciles, compiles and installs; on any failure the kernel keeps what it has.
    func reload() {
        let files: [PolicyFile]
        do {
            files = try directory.read()
        } catch {
            DaemonLog.write(.error, "\(error); keeping the policy in force")
            return
        }
        let outcome = reconciler.reconcile(files)
        for d in outcome.diagnostics { DaemonLog.write(d.severity == .error ? .error : .warning, d.description) }
        for path in outcome.keptLastGood {
            DaemonLog.write(.warning, "\(path) has errors; its last good version stays in force")
        }
        for path in outcome.refused {
            DaemonLog.write(.error, "\(path) has errors and no good version; it is not enforced")
        }
        let next = generation + 1
        let compiled: CompiledPolicy
        do {
            let policies = SymlinkResolution.resolve(outcome.files.flatMap(\.policies))
            execFiles?.follow(policies)
            compiled = try PolicyCompiler.compile(policies, generation: next, identify: ExecFileWatch.identify)
        } catch {
            DaemonLog.write(.error, "\(error); keeping generation \(generation)")
            return
        }
        for d in compiled.diagnostics { DaemonLog.write(.warning, d.description) }
        guard compiled.image.sameRules(as: installed) == false else { return }  // nothing changed
        do {
            try enforcer.install(compiled.image)
        } catch {
            DaemonLog.write(.error, "\(error); keeping generation \(generation)")
            return
        }
        if !replacedOtherABIs {
            // This ABI enforces now: pins an older portcullis left can go.
            for pin in enforcer.removeOtherABIs() {
                DaemonLog.write(.info, "removed a pin of another ABI version", ["pin": pin])
            }
            replacedOtherABIs = true
        }
        generation = next
        installed = compiled.image
        rulesByGeneration[next] = compiled.rules
        rulesByGeneration = rulesByGeneration.filter { $0.key + 8 > next }
        let ids = (try? enforcer.programIDs()) ?? [:]
        DaemonLog.write(
            .info, "generation applied",
            [
                "generation": String(next), "files": String(outcome.files.count),
                "rules": String(compiled.rules.count), "exec_states": String(compiled.execStates),
                "prog_ids": Self.describe(ids),
            ])
    }
}
