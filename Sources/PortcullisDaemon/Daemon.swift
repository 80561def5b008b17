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
    private var watcher: DirectoryWatcher?
    private var signals: [DispatchSourceSignal] = []

    public init(directory: PolicyDirectory) throws(BPFError) {
        self.directory = directory
        enforcer = try Enforcer()
        let ids = (try? enforcer.programIDs()) ?? [:]
        for (name, id) in ids.sorted(by: { $0.key < $1.key }) {
            DaemonLog.write(.info, "program attached", ["program": name, "prog_id": String(id)])
        }
    }

    /// Applies the directory once, then follows it until SIGTERM or SIGINT. Never returns.
    public func run() throws -> Never {
        try queue.sync {
            reload()
            let watcher = try DirectoryWatcher(path: directory.path, queue: queue) { [weak self] in
                self?.reload()
            }
            watcher.start()
            self.watcher = watcher
            for sig in [SIGTERM, SIGINT] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler {
                    DaemonLog.write(.info, "stopping", ["signal": String(sig)])
                    exit(0)
                }
                source.resume()
                signals.append(source)
            }
        }
        dispatchMain()
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
        for file in files {
            for d in file.diagnostics { DaemonLog.write(d.severity == .error ? .error : .warning, d.description) }
        }
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
            compiled = try PolicyCompiler.compile(policies, generation: next)
        } catch {
            DaemonLog.write(.error, "\(error); keeping generation \(generation)")
            return
        }
        for d in compiled.diagnostics { DaemonLog.write(.warning, d.description) }
        do {
            try enforcer.install(compiled.image)
        } catch {
            DaemonLog.write(.error, "\(error); keeping generation \(generation)")
            return
        }
        generation = next
        let ids = (try? enforcer.programIDs()) ?? [:]
        DaemonLog.write(
            .info, "generation applied",
            [
                "generation": String(next), "files": String(outcome.files.count),
                "rules": String(compiled.rules.count), "exec_states": String(compiled.execStates),
                "prog_ids": ids.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","),
            ])
    }
}
