import CBPF
import Glibc
import PortcullisBPFObject

/// `portcullis doctor`: can this kernel enforce, and what to change if not.
public enum Doctor {
    public struct Check: Sendable {
        public var name: String
        public var ok: Bool
        public var detail: String
        /// What to change when the check fails.
        public var remedy: String?
    }

    /// The kernel functions behind the hooks the programs attach to.
    static let hooks: [(String, String, Int)] = [
        ("bprm_check_security", "bpf_lsm_bprm_check_security", BTF_KIND_FUNC),
        ("mmap_file", "bpf_lsm_mmap_file", BTF_KIND_FUNC),
        ("file_mprotect", "bpf_lsm_file_mprotect", BTF_KIND_FUNC),
        ("capable", "bpf_lsm_capable", BTF_KIND_FUNC),
        ("sb_mount", "bpf_lsm_sb_mount", BTF_KIND_FUNC),
        ("move_mount", "bpf_lsm_move_mount", BTF_KIND_FUNC),
        ("task_alloc", "bpf_lsm_task_alloc", BTF_KIND_FUNC),
        ("file_open", "bpf_lsm_file_open", BTF_KIND_FUNC),
        ("path_truncate", "bpf_lsm_path_truncate", BTF_KIND_FUNC),
        // tamper protection
        ("bpf_map", "bpf_lsm_bpf_map", BTF_KIND_FUNC),
        ("ptrace_access_check", "bpf_lsm_ptrace_access_check", BTF_KIND_FUNC),
        ("task_kill", "bpf_lsm_task_kill", BTF_KIND_FUNC),
        ("inode_unlink", "bpf_lsm_inode_unlink", BTF_KIND_FUNC),
        ("inode_rmdir", "bpf_lsm_inode_rmdir", BTF_KIND_FUNC),
        ("inode_rename", "bpf_lsm_inode_rename", BTF_KIND_FUNC),
        ("sb_umount", "bpf_lsm_sb_umount", BTF_KIND_FUNC),
        ("task_free", "bpf_lsm_task_free", BTF_KIND_FUNC),
        ("sched_process_exec", "btf_trace_sched_process_exec", BTF_KIND_TYPEDEF),
    ]

    /// The checks, and the verifier's cost of each program when the test attach loaded them.
    public static func run(lsmFile: String = "/sys/kernel/security/lsm") -> [Check] {
        runMeasuring(lsmFile: lsmFile).checks
    }

    public static func runMeasuring(lsmFile: String = "/sys/kernel/security/lsm") -> (checks: [Check], verifier: [VerifierCost]) {
        var checks: [Check] = []
        let lsms = readFile(lsmFile)?.split(separator: ",").map(String.init) ?? []
        checks.append(
            Check(
                name: "BPF LSM active", ok: lsms.contains("bpf"),
                detail: lsms.isEmpty ? "cannot read \(lsmFile) (is securityfs mounted?)" : "active LSMs: \(lsms.joined(separator: ","))",
                remedy: lsms.contains("bpf")
                    ? nil
                    : lsms.isEmpty
                        ? "mount -t securityfs securityfs /sys/kernel/security and run doctor again"
                        : lsmRemedy(active: lsms)))
        let btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0
        checks.append(
            Check(
                name: "kernel BTF", ok: btf, detail: btf ? "/sys/kernel/btf/vmlinux" : "no /sys/kernel/btf/vmlinux",
                remedy: btf ? nil : "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian's are)"))
        if btf { checks += hookChecks() }
        let content = ContentHashing.support()
        checks.append(
            Check(
                name: "content rules", ok: content.ok, detail: content.detail,
                remedy: content.ok
                    ? nil
                    : "use a kernel with CONFIG_IMA=y (Debian's) and no ima_hash= other than sha256; until then "
                        + "sha256: rules deny every exec they could apply to (fail closed)"))
        checks.append(bpffsCheck())
        checks.append(preemptionCheck(readPreemptionSources()))
        let (attach, verifier) = attachCheck()
        checks.append(attach)
        return (checks, verifier)
    }

    /// The `lsm=` boot parameter that adds bpf and keeps every LSM already active, in order.
    public static func lsmRemedy(active: [String]) -> String {
        let list = (active.filter { $0 != "bpf" } + ["bpf"]).joined(separator: ",")
        return "boot with lsm=\(list) (on Debian: add it to GRUB_CMDLINE_LINUX in /etc/default/grub, "
            + "run update-grub and reboot); this keeps every LSM active now and adds bpf"
    }

    static func hookChecks() -> [Check] {
        guard let btf = btf__load_vmlinux_btf() else {
            return [Check(name: "hooks", ok: false, detail: "cannot load the kernel's BTF", remedy: nil)]
        }
        defer { btf__free(btf) }
        return hooks.map { hook, symbol, kind in
            let found = btf__find_by_name_kind(btf, symbol, UInt32(kind)) > 0
            return Check(
                name: "hook \(hook)", ok: found, detail: found ? symbol : "\(symbol) not in the kernel's BTF",
                remedy: found ? nil : "this kernel is too old for portcullis; use Linux 6.1 or newer")
        }
    }

    static func bpffsCheck() -> Check {
        let mounts = readFile("/proc/self/mounts", lines: 10_000) ?? ""
        let mounted = mounts.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 2 && fields[1] == "/sys/fs/bpf" && fields[2] == "bpf"
        }
        return Check(
            name: "bpffs", ok: mounted, detail: mounted ? "mounted on /sys/fs/bpf" : "/sys/fs/bpf is not a bpffs",
            remedy: mounted ? nil : "mount -t bpf bpf /sys/fs/bpf (systemd mounts it at boot)")
    }

    static func readPreemptionSources() -> PreemptionModel.Sources {
        let release = readFile("/proc/sys/kernel/osrelease") ?? ""
        return PreemptionModel.Sources(
            version: readFile("/proc/sys/kernel/version") ?? "",
            commandLine: readFile("/proc/cmdline"),
            debugfs: readFile("/sys/kernel/debug/sched/preempt"),
            buildConfig: release.isEmpty ? nil : readFile("/boot/config-\(release)", lines: 100_000))
    }

    /// Our per-CPU space is a decision's own only under none or voluntary preemption.
    public static func preemptionCheck(_ sources: PreemptionModel.Sources) -> Check {
        let remedy = "boot with preempt=voluntary (Debian's default; on Debian: add it to GRUB_CMDLINE_LINUX "
            + "in /etc/default/grub, run update-grub and reboot), on a kernel that is not PREEMPT_RT"
        guard let (model, source) = PreemptionModel.judge(sources) else {
            return Check(
                name: "preemption", ok: false,
                detail: "cannot tell the preemption model: no sched/preempt in debugfs, no preempt= at boot, no build configuration",
                remedy: "mount debugfs (mount -t debugfs none /sys/kernel/debug) and run doctor again; "
                    + "enforcement is sound only under none or voluntary preemption")
        }
        let ok = model.keepsPerCPUSpace
        return Check(
            name: "preemption", ok: ok,
            detail: "\(model.rawValue), from \(source)"
                + (ok ? "" : ": another task may preempt a decision and reuse its per-CPU space"),
            remedy: ok ? nil : remedy)
    }

    /// Loads and attaches every program (no policy, no pins), then detaches them;
    /// what verifying each program cost.
    static func attachCheck() -> (Check, [VerifierCost]) {
        let object: OpaquePointer
        do {
            object = try openEmbeddedObject()
        } catch {
            return (Check(name: "test attach", ok: false, detail: "\(error)", remedy: nil), [])
        }
        defer { bpf_object__close(object) }
        let rc = bpf_object__load(object)
        let loaded = VerifierReport.boottime()
        guard rc == 0 else {
            return (Check(
                name: "test attach", ok: false, detail: "\(BPFError("loading the programs", code: -rc))",
                remedy: "run as root; if root is refused too, the host forbids BPF-LSM programs (lockdown or a hardening policy)"), [])
        }
        let costs = VerifierReport.costs(of: object, programs: Enforcer.programs, finished: loaded)
        var attached = 0
        for name in Enforcer.programs {
            guard let program = bpf_object__find_program_by_name(object, name),
                let link = bpf_program__attach(program)
            else {
                return (Check(
                    name: "test attach", ok: false, detail: "\(BPFError("attaching \(name)"))",
                    remedy: "check that bpf is in /sys/kernel/security/lsm"), costs)
            }
            bpf_link__destroy(link)
            attached += 1
        }
        return (Check(name: "test attach", ok: true, detail: "\(attached) programs loaded, attached and detached", remedy: nil), costs)
    }

    /// The first `lines` lines of a file, without the final newline.
    static func readFile(_ path: String, lines: Int = 1) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var text: [UInt8] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        for _ in 0..<lines {
            guard fgets(&buffer, Int32(buffer.count), f) != nil else { break }
            text += buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        }
        while text.last == UInt8(ascii: "\n") { text.removeLast() }
        return String(decoding: text, as: UTF8.self)
    }
}
