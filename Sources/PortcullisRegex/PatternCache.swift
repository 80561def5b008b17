// What the DFA compiler builds of each pattern alone, kept from one compile
// to the next, so that a change to one policy file rebuilds only its own
// patterns' automata (the product of all of them is built again).

/// The minimal DFA of each pattern built by subset construction, by pattern
/// text, from the last compile that was given this cache (literal chains, most
/// exact paths and prefixes, are built directly and cheaply, mostly read off
/// their text: not kept, nor are parses, which take much memory). A pattern's
/// own DFA is built over its own byte classes (the coarsest that tell its byte
/// sets apart, numbered by smallest byte), which depend on the pattern alone,
/// so it is reused as is in any later set of patterns: only spread over that
/// set's classes and given the pattern's id there. Its own classes are kept
/// with it, so that a pattern found here is not parsed again: they tell the
/// same bytes apart as its byte sets do. The result is the DFA a compile
/// without the cache builds, byte for byte.
///
/// Only the patterns of the last compile are kept, memory following the
/// policy set in force, never the history of changes; and they are kept in
/// one contiguous table (the pattern's text, its transitions, its accepting
/// states), written once the compile is over, so that what the compile freed
/// around it can go back to the kernel. A compile's new patterns are appended
/// to it; it is written anew, with only the patterns in use, when those no
/// longer in use would take more than half of it. One compile at a time.
public final class PatternCache: @unchecked Sendable {
    /// A pattern's minimal DFA over its own classes, accepting `id`, built under `stateLimit`.
    struct OwnDFA: Sendable {
        var dfa: DFA
        var id: Int
        var stateLimit: Int
    }

    /// Where one pattern's entry lies in `table`: its UTF-8 text (one word per
    /// byte), then stateCount × classCount transitions, then its accepting states.
    /// Its own classes are `partitions[partition]` (byte → class): patterns share them.
    private struct Slot {
        var offset: Int
        var textCount: Int
        var classCount: Int
        var stateCount: Int
        var acceptingCount: Int
        var start: UInt32
        var id: Int
        var stateLimit: Int
        var partition: Int

        /// The words it takes in the table.
        var words: Int { textCount + stateCount * classCount + acceptingCount }
    }

    private var table: [UInt32] = []
    /// By the pattern text's hash: the slots of the patterns with that hash.
    private var slots: [Int: [Slot]] = [:]
    /// The distinct own classes of the automata in the table (byte → class), and their numbers.
    private var partitions: [[UInt8]] = []
    private var partitionNumbers: [[UInt8]: Int] = [:]
    public private(set) var count = 0

    public init() {}

    /// The bytes the kept automata take in the table (texts, transitions, accepting states).
    public var tableBytes: Int { table.count * 4 }

    func own(_ pattern: String) -> OwnDFA? {
        guard let slot = slot(of: pattern) else { return nil }
        let transitionsAt = slot.offset + slot.textCount
        let transitions = Array(table[transitionsAt..<(transitionsAt + slot.stateCount * slot.classCount)])
        var accepts = [[Int]](repeating: [], count: slot.stateCount)
        let acceptsAt = transitionsAt + transitions.count
        for k in 0..<slot.acceptingCount { accepts[Int(table[acceptsAt + k])] = [slot.id] }
        let dfa = DFA(
            byteClass: partitions[slot.partition], classCount: slot.classCount, stateCount: slot.stateCount,
            start: slot.start, transitions: transitions, accepts: accepts)
        return OwnDFA(dfa: dfa, id: slot.id, stateLimit: slot.stateLimit)
    }

    /// Keeps exactly these entries (those of the compile just done). Those the
    /// table holds already stay where they are and new ones are appended; the
    /// table is written anew when what it holds for patterns no longer in use
    /// would pass what it holds for these.
    func replace(with entries: [(pattern: String, own: OwnDFA)]) {
        var kept: [Int: [Slot]] = [:]
        var keptWords = 0
        var keptCount = 0
        var fresh: [(pattern: String, own: OwnDFA)] = []
        for entry in entries {
            guard let slot = slot(of: entry.pattern), slot.stateLimit == entry.own.stateLimit else {
                fresh.append(entry)
                continue
            }
            let hash = entry.pattern.hashValue
            if kept[hash]?.contains(where: { $0.offset == slot.offset }) == true { continue }
            kept[hash, default: []].append(slot)
            keptWords += slot.words
            keptCount += 1
        }
        let freshWords = fresh.reduce(0) { $0 + Self.words(of: $1) }
        if table.count - keptWords > keptWords + freshWords {
            table = []
            slots = [:]
            partitions = []
            partitionNumbers = [:]
            count = 0
            table.reserveCapacity(entries.reduce(0) { $0 + Self.words(of: $1) })
            for entry in entries { append(entry) }
            return
        }
        slots = kept
        count = keptCount
        for entry in fresh { append(entry) }
    }

    /// The slot of `pattern`'s text, if the table holds it.
    private func slot(of pattern: String) -> Slot? {
        guard let candidates = slots[pattern.hashValue] else { return nil }
        let text = Array(pattern.utf8)
        return candidates.first { slot in
            slot.textCount == text.count && (0..<text.count).allSatisfy { table[slot.offset + $0] == UInt32(text[$0]) }
        }
    }

    /// Adds an entry at the end of the table, unless its pattern is there already.
    private func append(_ entry: (pattern: String, own: OwnDFA)) {
        let (pattern, own) = entry
        if slot(of: pattern) != nil { return }
        let text = Array(pattern.utf8)
        let accepting = own.dfa.accepts.indices.filter { !own.dfa.accepts[$0].isEmpty }
        let partition = partitionNumbers[own.dfa.byteClass] ?? partitions.count
        if partition == partitions.count {
            partitionNumbers[own.dfa.byteClass] = partition
            partitions.append(own.dfa.byteClass)
        }
        let slot = Slot(
            offset: table.count, textCount: text.count, classCount: own.dfa.classCount,
            stateCount: own.dfa.stateCount, acceptingCount: accepting.count, start: own.dfa.start,
            id: own.id, stateLimit: own.stateLimit, partition: partition)
        table += text.map(UInt32.init)
        table += own.dfa.transitions
        table += accepting.map(UInt32.init)
        slots[pattern.hashValue, default: []].append(slot)
        count += 1
    }

    /// At most the words an entry takes in the table.
    private static func words(of entry: (pattern: String, own: OwnDFA)) -> Int {
        entry.pattern.utf8.count + entry.own.dfa.transitions.count + entry.own.dfa.stateCount
    }
}

extension DFA {
    /// A single pattern's DFA with its accepting states accepting `id` instead.
    func relabeled(to id: Int) -> DFA {
        var dfa = self
        dfa.accepts = accepts.map { $0.isEmpty ? $0 : [id] }
        return dfa
    }
}
