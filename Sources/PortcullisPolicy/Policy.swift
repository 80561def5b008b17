import PortcullisYAML

/// One policy, as read from one YAML document, whatever format it was written in.
public struct Policy: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Rules deny (and allow) for real.
        case enforce
        /// Every deny is recorded as an audit decision instead.
        case audit
    }

    public var name: String
    public var source: SourceLocation
    public var mode: Mode
    public var rules: [Rule]

    public init(name: String, source: SourceLocation, mode: Mode, rules: [Rule]) {
        self.name = name
        self.source = source
        self.mode = mode
        self.rules = rules
    }
}

/// Where something was written: file, line and column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    init(file: String, mark: SourceMark) {
        self.init(file: file, line: mark.line, column: mark.column)
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// What a rule does when its operation and subject match.
///
/// Precedence (docs/policy.md): across policies `deny` beats `audit`, which beats
/// `allow` and no match. An `allow` rule only carves an exception out of the `deny`
/// and `audit` rules of its own policy, so one file cannot neutralise another's deny.
public enum Action: String, Sendable, Hashable, CaseIterable {
    case deny, audit, allow
}

/// A string condition on a path: equal, prefix, or a regular expression.
public enum PathPattern: Sendable, Hashable, CustomStringConvertible {
    case exact(String)
    case prefix(String)
    case regex(String)

    /// A program with no path on the host (memfd_create, O_TMPFILE, a deleted file):
    /// the kernel matches its path as the empty string (`exec: { anonymous: true }`).
    public static let anonymous = PathPattern.exact("")
    public var isAnonymous: Bool { self == .anonymous }

    public var description: String {
        switch self {
        case .exact(let p): return p.isEmpty ? "(anonymous)" : p
        case .prefix(let p): return "\(p)*"
        case .regex(let r): return "/\(r)/"
        }
    }
}

/// The operation a rule is about.
public enum Operation: Sendable, Hashable {
    /// Executing a program whose canonical path matches one of `paths` (and whose
    /// arguments, joined by single spaces, match `args` when set, and whose content
    /// meets `content`).
    case exec(paths: [PathPattern], args: String?, content: ExecContent = ExecContent())
    /// Using one of these capabilities.
    case capability([Capability])
    /// Mounting a filesystem (mount(2), the `sb_mount` hook) as `MountMatch` describes.
    case mount(MountMatch)
}

/// Who performs the operation. Every condition that is set must hold, and inside one
/// condition the entries are alternatives. An empty subject is every process.
public struct Subject: Sendable, Hashable {
    /// The executable of the acting process (any of them), by its canonical path.
    public var executables: [PathPattern]
    /// A regex over the acting process's arguments (argv[1...]) joined by single spaces.
    public var args: String?
    /// systemd units or slices, such as `nginx.service` or `system.slice`: the process
    /// runs in the unit's cgroup or below it (a slice holds every unit under it).
    public var units: [String]
    /// cgroup v2 paths from the root of the hierarchy (`/system.slice/nginx.service`),
    /// matched against the cgroup the process runs in.
    public var cgroups: [PathPattern]
    /// Real user ids of the process.
    public var uids: [UInt32]
    /// A process matching any of these subjects is not this subject.
    public var except: [Subject]
    /// Capability rules only: the rule applies when the capability is checked against
    /// the host's initial user namespace, not inside a user namespace of its own
    /// (`unshare -r`, rootless containers). Set by `capability: { userNamespace: initial }`.
    public var initialUserNamespaceOnly = false

    public init(
        executables: [PathPattern] = [], args: String? = nil, units: [String] = [],
        cgroups: [PathPattern] = [], uids: [UInt32] = [], except: [Subject] = []
    ) {
        self.executables = executables
        self.args = args
        self.units = units
        self.cgroups = cgroups
        self.uids = uids
        self.except = except
    }

    public static let everyone = Subject()
    public var isEveryone: Bool {
        executables.isEmpty && args == nil && units.isEmpty && cgroups.isEmpty && uids.isEmpty
            && except.isEmpty && !initialUserNamespaceOnly
    }
}

/// An operation, who performs it, and what to do when both match.
public struct Rule: Sendable, Hashable {
    public var operation: Operation
    public var subject: Subject
    public var action: Action
    public var source: SourceLocation
    /// The rule denies files the host cannot run without (the loader, libc, the
    /// libraries of init and portcullis) on purpose: `denyCriticalFiles: true`.
    /// Without it, an exec deny matching one is an error (PortcullisGeneration's
    /// CriticalRules).
    public var denyCriticalFiles: Bool

    public init(
        operation: Operation, subject: Subject, action: Action, source: SourceLocation, denyCriticalFiles: Bool = false
    ) {
        self.operation = operation
        self.subject = subject
        self.action = action
        self.source = source
        self.denyCriticalFiles = denyCriticalFiles
    }
}

extension PathPattern {
    /// The one path this pattern can match, when it is a literal: an exact path, or a
    /// regular expression of the form `^/literal/path$` (escapes allowed, no operators).
    public var literalPath: String? {
        switch self {
        case .exact(let path): return path.isEmpty ? nil : path
        case .prefix: return nil
        case .regex(let regex):
            guard regex.utf8.contains(where: { $0 >= 0x80 }) else { return Self.asciiLiteral(regex) }
            return Self.literal(regex)
        }
    }

    /// `^literal$` → literal, Character by Character (any text).
    static func literal(_ regex: String) -> String? {
        guard regex.hasPrefix("^"), regex.hasSuffix("$"), regex.count >= 2 else { return nil }
        var out = ""
        var escaped = false
        for ch in regex.dropFirst().dropLast() {
            if escaped {
                guard ch.isPunctuation || ch.isSymbol else { return nil }
                out.append(ch)
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else if Self.isOperator(ch) {
                return nil
            } else {
                out.append(ch)
            }
        }
        return escaped || !out.hasPrefix("/") ? nil : out
    }

    /// The same for ASCII text, byte by byte (the daemon asks it of every rule at
    /// every compile): an escaped byte must be ASCII punctuation, which is what
    /// Character's isPunctuation || isSymbol say of ASCII.
    static func asciiLiteral(_ regex: String) -> String? {
        let bytes = Array(regex.utf8)
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "^"), bytes.last == UInt8(ascii: "$") else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var escaped = false
        for byte in bytes[1..<(bytes.count - 1)] {
            if escaped {
                guard isASCIIPunctuation(byte) else { return nil }
                out.append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if isOperatorByte(byte) {
                return nil
            } else {
                out.append(byte)
            }
        }
        return escaped || out.first != UInt8(ascii: "/") ? nil : String(decoding: out, as: UTF8.self)
    }

    static func isASCIIPunctuation(_ byte: UInt8) -> Bool {
        (0x21...0x2F).contains(byte) || (0x3A...0x40).contains(byte) || (0x5B...0x60).contains(byte)
            || (0x7B...0x7E).contains(byte)
    }

    /// Whether `byte` is one of `^$.[]()|*+?{}` (what `isOperator` says of ASCII).
    static func isOperatorByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "."), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "|"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "?"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            return true
        default: return false
        }
    }

    /// Whether `ch` is one of `^$.[]()|*+?{}`.
    private static func isOperator(_ ch: Character) -> Bool {
        switch ch {
        case "^", "$", ".", "[", "]", "(", ")", "|", "*", "+", "?", "{", "}": return true
        default: return false
        }
    }
}
