/// The running kernel's preemption model, for `portcullis doctor`.
///
/// A decision keeps what it has read (paths, texts, the other host paths of a
/// file) in per-CPU maps until it ends. BPF programs run with migration
/// disabled, not preemption: that space is the decision's own only while no
/// other task can preempt a program on its CPU, as under no or voluntary
/// preemption (Debian's default). Under full, lazy or real-time preemption
/// another task's program may reuse it mid-decision (docs/enforcement.md).
public enum PreemptionModel: String, Sendable, CaseIterable {
    case none, voluntary, full, lazy, realtime

    /// Whether a program keeps its CPU, and so its per-CPU space, until it ends.
    public var keepsPerCPUSpace: Bool { self == .none || self == .voluntary }

    /// What the kernel says of itself, each nil where it could not be read.
    public struct Sources: Sendable {
        /// /proc/sys/kernel/version (`uname -v`): "... SMP PREEMPT_DYNAMIC ...".
        public var version: String
        /// /proc/cmdline.
        public var commandLine: String?
        /// debugfs's sched/preempt: "none (voluntary) full", the model in force in parentheses.
        public var debugfs: String?
        /// The build's configuration (/boot/config-RELEASE).
        public var buildConfig: String?

        public init(version: String, commandLine: String?, debugfs: String?, buildConfig: String?) {
            self.version = version
            self.commandLine = commandLine
            self.debugfs = debugfs
            self.buildConfig = buildConfig
        }
    }

    /// The model in force and where it was read; nil when nothing says.
    public static func judge(_ sources: Sources) -> (model: PreemptionModel, source: String)? {
        let tokens = sources.version.split(separator: " ")
        if tokens.contains("PREEMPT_RT") { return (.realtime, "PREEMPT_RT in the kernel's version") }
        if let text = sources.debugfs, let model = inForce(debugfs: text) {
            return (model, "sched/preempt in debugfs")
        }
        if tokens.contains("PREEMPT_DYNAMIC") {
            if let line = sources.commandLine, let model = bootParameter(line) {
                return (model, "preempt=\(model.rawValue) on the kernel's command line")
            }
            if let config = sources.buildConfig, let model = buildDefault(config) {
                return (model, "the build's default (no preempt= at boot)")
            }
            return nil
        }
        if tokens.contains("PREEMPT") { return (.full, "PREEMPT in the kernel's version") }
        if let config = sources.buildConfig, let model = buildDefault(config) {
            return (model, "the build's configuration")
        }
        // Neither PREEMPT nor PREEMPT_DYNAMIC nor PREEMPT_RT: built for none or voluntary.
        return (.voluntary, "no PREEMPT in the kernel's version (none or voluntary)")
    }

    /// "none (voluntary) full lazy": the word in parentheses.
    static func inForce(debugfs text: String) -> PreemptionModel? {
        guard let open = text.firstIndex(of: "("), let close = text[open...].firstIndex(of: ")") else { return nil }
        return PreemptionModel(rawValue: String(text[text.index(after: open)..<close]))
    }

    /// The last `preempt=` of a kernel command line (the kernel takes the last).
    static func bootParameter(_ line: String) -> PreemptionModel? {
        line.split(separator: " ").reversed().lazy
            .compactMap { word in word.hasPrefix("preempt=") ? PreemptionModel(rawValue: String(word.dropFirst(8))) : nil }
            .first
    }

    /// CONFIG_PREEMPT_NONE, _VOLUNTARY, CONFIG_PREEMPT, _LAZY or _RT set to y.
    static func buildDefault(_ config: String) -> PreemptionModel? {
        let options: [(String, PreemptionModel)] = [
            ("CONFIG_PREEMPT_RT=y", .realtime), ("CONFIG_PREEMPT_NONE=y", .none),
            ("CONFIG_PREEMPT_VOLUNTARY=y", .voluntary), ("CONFIG_PREEMPT=y", .full), ("CONFIG_PREEMPT_LAZY=y", .lazy),
        ]
        let lines = Set(config.split(separator: "\n").map(String.init))
        return options.first { lines.contains($0.0) }?.1
    }
}
