import Dispatch
import Glibc
import PortcullisCompiler
import PortcullisKernel
import PortcullisSelftest

/// Decision events as the ring-buffer reader delivers them, kept on its queue until taken.
final class EventInbox: @unchecked Sendable {
    private let queue = DispatchQueue(label: "portcullis.selftest.events")
    private var pending: [DecisionEvent] = []
    private var delivered: UInt64 = 0
    private var reader: EventReader?

    init(_ enforcer: Enforcer) throws(BPFError) {
        reader = try enforcer.readEvents(on: queue) { [unowned self] event in
            pending.append(event)
            delivered += 1
        }
    }

    /// Every event the kernel has sent so far (it counts them in pc_stats), once the
    /// reader has delivered them all.
    func take(_ enforcer: Enforcer, timeoutSeconds: UInt64 = 10) throws -> [DecisionEvent] {
        let sent = try enforcer.statistics().sent
        let deadline = DispatchTime.now().uptimeNanoseconds + timeoutSeconds * 1_000_000_000
        while true {
            let taken: [DecisionEvent]? = queue.sync {
                guard delivered >= sent else { return nil }
                defer { pending = [] }
                return pending.filter { !$0.hook.isGuard }  // the selftest's own claim of its guard
            }
            if let taken { return taken }
            guard DispatchTime.now().uptimeNanoseconds < deadline else {
                let got = queue.sync { delivered }
                throw SelftestFailure(
                    "the kernel sent \(sent) decision events, the ring buffer delivered \(got) in \(timeoutSeconds) s")
            }
            usleep(500)
        }
    }
}

extension Report {
    /// A decision event in the reference's terms.
    init(_ event: DecisionEvent) {
        let target: Target
        switch event.hook {
        case .exec: target = event.afterExec ? .execDone(path: event.path ?? "") : .exec(path: event.path ?? "")
        // An mprotect(PROT_EXEC) was reported as a mapping before its hook had a name of its own.
        case .mmapExec, .mprotectExec: target = .mmapExec(path: event.path ?? "")
        case .capable: target = .capability(event.capability ?? -1)
        case .mount, .moveMount, .unknown, .guardMap, .guardPtrace, .guardSignal, .guardPin, .guardUmount, .guardClaim:
            target = .other("hook \(event.hook.rawValue)")
        }
        let rules = event.rule.map { [$0] } ?? []
        let decision: ImageEvaluator.Decision
        switch event.decision {
        case .deny: decision = event.pathUnreadable ? .denyUnreadable : .deny(rules: rules)
        case .audit: decision = .audit(rules: rules)
        case .unknown: decision = .allow  // never reported: shows up as a mismatch
        }
        self.init(target: target, decision: decision)
    }
}
