import Glibc

/// Whether this kernel can give the exec hooks a file's SHA-256 (pc_content.h):
/// IMA built in and initialised (securityfs shows its directory), hashing with
/// SHA-256 (its default on Debian; `ima_hash=` on the command line changes it).
/// Without it, a content rule (`sha256:`) is unknown for every file: its denials
/// apply to every exec (fail closed), and literal-path rules match by path and
/// identity only.
public enum ContentHashing {
    public struct Support: Sendable, Equatable {
        public var ok: Bool
        public var detail: String

        public init(ok: Bool, detail: String) {
            self.ok = ok
            self.detail = detail
        }
    }

    public static func support(
        securityfs: String = "/sys/kernel/security", commandLine: String = "/proc/cmdline"
    ) -> Support {
        var st = stat()
        guard stat("\(securityfs)/ima", &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
            return Support(
                ok: false,
                detail: "no \(securityfs)/ima: IMA is not built into this kernel or not initialised (or securityfs is not mounted)")
        }
        let words = (Doctor.readFile(commandLine) ?? "").split(separator: " ")
        if let hash = words.first(where: { $0.hasPrefix("ima_hash=") })?.dropFirst("ima_hash=".count), hash != "sha256" {
            return Support(ok: false, detail: "IMA hashes with \(hash) (ima_hash= on the kernel command line), not sha256")
        }
        return Support(ok: true, detail: "IMA hashes executed files with sha256 (bpf_ima_file_hash)")
    }
}
