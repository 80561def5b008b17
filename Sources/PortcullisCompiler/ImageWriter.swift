import PortcullisRegex

/// Lays out the sections of a PolicyImage; every section's position is a word offset.
struct ImageWriter {
    private(set) var words: [UInt32]

    init(generation: UInt64) {
        words = Array(repeating: 0, count: ABI.Header.words)
        words[ABI.Header.magic] = ABI.magic
        words[ABI.Header.abi] = ABI.version
        words[ABI.Header.generationLow] = UInt32(truncatingIfNeeded: generation)
        words[ABI.Header.generationHigh] = UInt32(truncatingIfNeeded: generation >> 32)
    }

    /// Appends `section` and returns its offset.
    mutating func append(_ section: [UInt32]) -> UInt32 {
        let at = UInt32(words.count)
        words.append(contentsOf: section)
        return at
    }

    mutating func setHeader(_ word: Int, _ value: UInt32) { words[word] = value }

    /// A DFA whose accept sets name rule-table indexes.
    mutating func appendDFA(_ dfa: DFA) -> UInt32 {
        var classes = [UInt32](repeating: 0, count: ABI.DFA.classWords)
        for (byte, cls) in dfa.byteClass.enumerated() {
            classes[byte / 4] |= UInt32(cls) << (UInt32(byte % 4) * 8)
        }
        let classesAt = append(classes)
        let transitionsAt = append(dfa.transitions)
        var accepts = [UInt32](repeating: 0, count: dfa.stateCount)
        for (state, rules) in dfa.accepts.enumerated() where !rules.isEmpty {
            accepts[state] = append([UInt32(rules.count)] + rules.map { UInt32($0) })
        }
        let acceptsAt = append(accepts)
        var header = [UInt32](repeating: 0, count: ABI.DFA.words)
        header[ABI.DFA.classCount] = UInt32(dfa.classCount)
        header[ABI.DFA.stateCount] = UInt32(dfa.stateCount)
        header[ABI.DFA.start] = dfa.start
        header[ABI.DFA.classes] = classesAt
        header[ABI.DFA.transitions] = transitionsAt
        header[ABI.DFA.accepts] = acceptsAt
        return append(header)
    }

    var image: PolicyImage { PolicyImage(words: words) }
}
