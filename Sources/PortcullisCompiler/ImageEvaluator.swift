import PortcullisPolicy

/// The userspace reference for the BPF programs: decides an event from a
/// PolicyImage exactly as bpf/*.bpf.c do, word for word.
public struct ImageEvaluator: Sendable {
    public let image: PolicyImage

    public init(_ image: PolicyImage) { self.image = image }

    public enum Decision: Sendable, Equatable {
        case allow
        case audit(rules: [Int])
        case deny(rules: [Int])
        /// The path could not be read whole and exec rules exist: denied, fail closed.
        case denyUnreadable
    }

    /// The exec hook: `path` is the canonical path of the program being executed.
    public func exec(path: [UInt8]) -> Decision {
        let dfa = Int(image[ABI.Header.execDFA])
        guard dfa != 0 else { return .allow }
        guard path.count < ABI.pathMax else { return .denyUnreadable }
        return decide(acceptList: walk(dfa: dfa, over: path))
    }

    /// The offset of the final state's accept list, or 0.
    func walk(dfa at: Int, over text: [UInt8]) -> Int {
        let classCount = Int(image[at + ABI.DFA.classCount])
        let stateCount = Int(image[at + ABI.DFA.stateCount])
        let classes = Int(image[at + ABI.DFA.classes])
        let transitions = Int(image[at + ABI.DFA.transitions])
        let accepts = Int(image[at + ABI.DFA.accepts])
        guard classCount > 0, stateCount > 0 else { return 0 }
        var state = Int(image[at + ABI.DFA.start])
        for byte in text {
            let word = image[classes + Int(byte) / 4]
            var cls = Int((word >> (UInt32(byte & 3) * 8)) & 0xff)
            if cls >= classCount { cls = 0 }
            state = Int(image[transitions + state * classCount + cls])
            if state == Int(ABI.DFA.dead) || state >= stateCount { return 0 }
        }
        return Int(image[accepts + state])
    }

    func decide(acceptList list: Int) -> Decision {
        guard list != 0 else { return .allow }
        let rules = Int(image[ABI.Header.rules])
        let ruleCount = Int(image[ABI.Header.ruleCount])
        let count = min(Int(image[list]), ABI.acceptMax)
        var strongest = ABI.Action.none
        var deciding: [Int] = []
        for i in 0..<count {
            let rule = Int(image[list + 1 + i])
            guard rule < ruleCount else { continue }
            let action = image[rules + rule * ABI.Rule.words + ABI.Rule.action]
            if action > strongest { (strongest, deciding) = (action, []) }
            if action == strongest { deciding.append(rule) }
        }
        switch strongest {
        case ABI.Action.deny: return .deny(rules: deciding)
        case ABI.Action.audit: return .audit(rules: deciding)
        default: return .allow
        }
    }
}
