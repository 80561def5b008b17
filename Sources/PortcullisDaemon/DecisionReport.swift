import Glibc
import PortcullisCompiler
import PortcullisJournal
import PortcullisKernel
import PortcullisPolicy

/// Turns the kernel's decision events into audit entries: names the rule from
/// the rule table of the event's generation, the cgroup and unit from the
/// cgroup id the kernel recorded (CgroupNames), and completes the process from /proc.
struct DecisionReport {
    let cgroups: CgroupNames

    init(cgroups: CgroupNames = CgroupNames()) {
        self.cgroups = cgroups
    }

    /// The rules of the generation in force and of the one before it (events
    /// still in the ring buffer when it was replaced), by generation. Older
    /// ones are let go, so memory stays flat over any number of updates; an
    /// event of an older generation is reported without its rule.
    private var rulesByGeneration: [UInt64: [CompiledRule]] = [:]
    static let generationsKept: UInt64 = 2

    mutating func remember(_ rules: [CompiledRule], of generation: UInt64) {
        rulesByGeneration[generation] = rules
        rulesByGeneration = rulesByGeneration.filter { $0.key + Self.generationsKept > generation }
    }

    /// The generations whose rules are kept.
    var generationsRemembered: [UInt64] { rulesByGeneration.keys.sorted() }

    func decision(for event: DecisionEvent) -> Decision {
        let rule = event.rule.flatMap { index in
            rulesByGeneration[event.generation].flatMap { $0.indices.contains(index) ? $0[index] : nil }
        }
        let cgroup = cgroups.cgroup(id: event.cgroupID, tgid: event.tgid)
        return Decision(
            verdict: event.decision == .audit ? .audit : .deny, hook: Self.hookName(event),
            generation: event.generation,
            rule: rule.map {
                Decision.Rule(
                    id: UInt32($0.index), policy: $0.policy, file: $0.rule.source.file, line: $0.rule.source.line)
            },
            process: Decision.Process(
                pid: event.pid, tgid: event.tgid, uid: event.uid, comm: event.comm,
                exe: event.executable ?? Self.readlink("/proc/\(event.tgid)/exe") ?? "", cgroupID: event.cgroupID,
                cgroup: cgroup?.path, cgroupSource: cgroup?.source ?? .unknown,
                unit: cgroup.flatMap { CgroupNames.unit(ofPath: $0.path) }),
            target: Self.target(event),
            unknown: (event.pathUnreadable ? ["path"] : []) + (event.conditionUnknown ? ["condition"] : []),
            sha256: event.sha256)
    }

    static func hookName(_ event: DecisionEvent) -> String {
        switch event.hook {
        case .exec: return event.afterExec ? "sched_process_exec" : "bprm_check_security"
        case .mmapExec: return "mmap_file"
        case .mprotectExec: return "file_mprotect"
        case .capable: return "capable"
        case .mount: return "sb_mount"
        case .moveMount: return "move_mount"
        case .guardMap, .guardClaim: return "bpf_map"
        case .guardPtrace: return "ptrace_access_check"
        case .guardSignal: return "task_kill"
        case .guardPin: return event.pinHook
        case .guardUmount: return "sb_umount"
        case .unknown: return "unknown"
        }
    }

    /// What an attempt on portcullis itself was after, in words.
    static func tamper(_ event: DecisionEvent) -> Decision.Target {
        let name = event.path ?? ""
        let detail = event.guardDetail
        let writable = detail & 2 != 0  // FMODE_WRITE
        switch event.hook {
        case .guardMap:
            return .tamper(kind: "map", object: "a \(writable ? "writable" : "read-only") descriptor for map \(name)")
        case .guardClaim:
            return .tamper(kind: "claim", object: "the vacant guardian post, asking for map \(name)")
        case .guardPtrace:
            return .tamper(kind: "ptrace", object: "ptrace access to the daemon (pid \(event.guardTarget))")
        case .guardSignal:
            return .tamper(kind: "signal", object: "signal \(detail) to the daemon (pid \(event.guardTarget))")
        case .guardPin:
            return .tamper(kind: "pin", object: "the pin \(name)")
        case .guardUmount:
            return .tamper(kind: "umount", object: "the mount \(detail) holding or above the pins")
        case .exec, .mmapExec, .mprotectExec, .capable, .mount, .moveMount, .unknown:
            return .path(name)
        }
    }

    static func target(_ event: DecisionEvent) -> Decision.Target {
        if event.hook.isGuard { return tamper(event) }
        switch event.hook {
        case .capable:
            let number = event.capability ?? -1
            return .capability(Capability.validNames.indices.contains(number) ? Capability.validNames[number] : "\(number)")
        case .mount, .moveMount:
            return .mount(
                source: event.mountSource ?? "", target: event.path ?? "", fsType: event.mountFilesystem ?? "",
                flags: event.mountFlags ?? 0)
        case .exec, .mmapExec, .mprotectExec, .unknown, .guardMap, .guardPtrace, .guardSignal, .guardPin, .guardUmount, .guardClaim:
            return .path(event.path ?? "")
        }
    }

    static func readlink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = Glibc.readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
