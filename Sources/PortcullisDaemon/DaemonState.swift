import FoundationEssentials
import Glibc
import PortcullisGeneration
import PortcullisCompiler
import PortcullisPolicy
import SystemPackage

/// What the daemon last did, written to the runtime directory after every
/// change so that `portcullis status` can name what the kernel enforces
/// (the kernel's maps hold rule keys and counters, not names) even when no
/// daemon runs any more.
public struct DaemonState: Codable, Sendable, Equatable {
    public struct PolicyState: Codable, Sendable, Equatable {
        public var name: String
        public var file: String
        public var mode: String
        public var rules: Int
    }

    public struct RuleState: Codable, Sendable, Equatable {
        /// The rule's index in the generation's rule table.
        public var index: Int
        /// Its key in the kernel's hit counters (`RuleKey`, 16 hex digits).
        public var key: String
        public var policy: String
        public var action: String
        public var operation: String
        public var file: String
        public var line: Int
        public var column: Int
    }

    public struct FileState: Codable, Sendable, Equatable {
        public enum Use: String, Codable, Sendable {
            /// Its current content is enforced.
            case current
            /// It has errors; its last good content is enforced.
            case lastGood = "last-good"
            /// It has errors and never had a good version: nothing of it is enforced.
            case refused
        }
        public var path: String
        public var use: Use
    }

    /// A problem of the last change: a file's diagnostic or a failed generation.
    public struct Problem: Codable, Sendable, Equatable {
        public var message: String
        public var file: String?
        public var line: Int?
        public var column: Int?
    }

    /// Attempts on portcullis itself since the daemon started (tamper protection).
    public struct Tampering: Codable, Sendable, Equatable {
        /// Attempts the kernel refused (and reported).
        public var refused = 0
        /// Times the daemon found its pins or its generation removed or replaced, and put them back.
        public var repaired = 0
        /// The last one, in words, and when (seconds since the epoch).
        public var last: String?
        public var lastAt: Double?

        public init() {}
    }

    public var pid: Int32
    public var policyDirectory: String
    /// nil in a state file of a build without tamper protection.
    public var tampering: Tampering?
    /// Enforcement is locked until reboot.
    public var locked: Bool?
    /// The generation this daemon last installed (0: none yet).
    public var generation: UInt64
    /// When it was installed, in seconds since the epoch.
    public var appliedAt: Double?
    public var policies: [PolicyState]
    /// Each rule of the generation, described.
    public var rules: [RuleState] { ruleList.states }
    private var ruleList: RuleList
    public var files: [FileState]
    /// The errors and warnings of the last reload, and why it failed if it did.
    public var problems: [Problem]

    public init(pid: Int32, policyDirectory: String, generation: UInt64) {
        self.pid = pid
        self.policyDirectory = policyDirectory
        self.generation = generation
        policies = []
        ruleList = .described([])
        files = []
        problems = []
        tampering = Tampering()
        locked = false
    }

    /// Records an attempt on portcullis: refused by the kernel, or repaired by the daemon.
    mutating func tampered(_ what: String, repaired: Bool, at time: Double) {
        var record = tampering ?? Tampering()
        if repaired { record.repaired += 1 } else { record.refused += 1 }
        record.last = what
        record.lastAt = time
        tampering = record
    }

    /// Records a generation just installed.
    mutating func applied(_ compiled: CompiledPolicy, generation: UInt64, files: [PolicyFile], at time: Double) {
        self.generation = generation
        appliedAt = time
        let counts = Dictionary(grouping: compiled.rules, by: \.policy).mapValues(\.count)
        policies = files.flatMap { file in
            file.policies.map {
                PolicyState(name: $0.name, file: file.path, mode: $0.mode.rawValue, rules: counts[$0.name] ?? 0)
            }
        }
        ruleList = .compiled(compiled.rules)
    }

    /// Records how the files of the last reload were used.
    mutating func reconciled(_ outcome: Reconciler.Outcome, current: [PolicyFile]) {
        let lastGood = Set(outcome.keptLastGood)
        let refused = Set(outcome.refused)
        files = current.map { file in
            FileState(
                path: file.path,
                use: lastGood.contains(file.path) ? .lastGood : refused.contains(file.path) ? .refused : .current)
        }
        problems = outcome.diagnostics.map {
            Problem(
                message: $0.description, file: $0.file, line: $0.line > 0 ? $0.line : nil,
                column: $0.line > 0 ? $0.column : nil)
        }
    }

    mutating func failed(_ message: String) {
        problems.append(Problem(message: message))
    }

    /// The file's keys: the rules are written under "rules".
    enum CodingKeys: String, CodingKey {
        case pid, policyDirectory, tampering, locked, generation, appliedAt, policies, files, problems
        case ruleList = "rules"
    }

    /// The rules of a state: described as a state file gives them, or the
    /// compiled rules of the generation the daemon applied, described only when
    /// the state is written. The daemon keeps those rules anyway (to name the
    /// rule of each decision); 10,000 descriptions beside them (their keys and
    /// operations as text, about 2.4 MB) would be kept only to be written after
    /// each change. Equal when they describe the rules alike; encoded as the
    /// list of descriptions.
    enum RuleList: Codable, Sendable, Equatable {
        case described([RuleState])
        case compiled([CompiledRule])

        var states: [RuleState] {
            switch self {
            case .described(let states): return states
            case .compiled(let rules):
                return zip(rules, RuleKey.keys(of: rules)).map { rule, key in
                    RuleState(
                        index: rule.index, key: key.description, policy: rule.policy, action: rule.action.rawValue,
                        operation: rule.rule.operation.summary, file: rule.rule.source.file,
                        line: rule.rule.source.line, column: rule.rule.source.column)
                }
            }
        }

        init(from decoder: any Decoder) throws {
            self = .described(try decoder.singleValueContainer().decode([RuleState].self))
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(states)
        }
        static func == (a: RuleList, b: RuleList) -> Bool { a.states == b.states }
    }

    /// The state as written: sorted keys, so equal states are equal files.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads a state file; nil when there is none.
    public static func read(_ path: String) throws -> DaemonState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try JSONDecoder().decode(DaemonState.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Writes the state to `path` atomically (a temporary file renamed over it), mode 0600.
    func write(to path: String) throws {
        let temporary = FilePath(path + ".new")
        let data = try encoded()
        let fd = try FileDescriptor.open(
            temporary, .writeOnly, options: [.create, .truncate, .closeOnExec, .noFollow],
            permissions: [.ownerReadWrite])
        try fd.closeAfter { _ = try fd.writeAll(data) }
        guard rename(temporary.string, path) == 0 else { throw FileProblem(path, errno: errno, "cannot replace") }
    }
}
