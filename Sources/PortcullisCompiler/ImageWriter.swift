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

    /// Appends `section` at the start of a line and returns its offset.
    mutating func appendAligned(_ section: [UInt32]) -> UInt32 {
        let pad = (ABI.lineWords - words.count % ABI.lineWords) % ABI.lineWords
        words.append(contentsOf: repeatElement(0, count: pad))
        return append(section)
    }

    mutating func setHeader(_ word: Int, _ value: UInt32) { words[word] = value }

    /// A DFA whose accept sets are lists of rule-table indexes.
    mutating func appendDFA(_ dfa: DFA) -> UInt32 {
        appendDFA(dfa) { writer, ids in writer.append([UInt32(ids.count)] + ids.map { UInt32($0) }) }
    }

    /// Sets (subject or mount-rule bitmaps), back to back from a half-line
    /// boundary, so the kernel reads each with one lookup.
    mutating func appendSets(_ sets: [SubjectSet]) -> UInt32 {
        let half = ABI.Subject.words
        words.append(contentsOf: repeatElement(0, count: (half - words.count % half) % half))
        return append(sets.flatMap(\.words))
    }

    /// A DFA whose accept sets are subject sets (bitmaps of subject ids).
    mutating func appendSubjectDFA(_ dfa: DFA) -> UInt32 {
        appendDFA(dfa) { writer, ids in writer.appendSets([SubjectSet(ids)]) }
    }

    /// A DFA; `encode` appends one state's accept set and returns its offset.
    mutating func appendDFA(_ dfa: DFA, encode: (inout ImageWriter, [Int]) -> UInt32) -> UInt32 {
        var classes = [UInt32](repeating: 0, count: ABI.DFA.classWords)
        for (byte, cls) in dfa.byteClass.enumerated() {
            classes[byte / 4] |= UInt32(cls) << (UInt32(byte % 4) * 8)
        }
        let classesAt = append(classes)
        let transitionsAt = append(dfa.transitions)
        var accepts = [UInt32](repeating: 0, count: dfa.stateCount)
        for (state, ids) in dfa.accepts.enumerated() where !ids.isEmpty {
            accepts[state] = encode(&self, ids)
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
