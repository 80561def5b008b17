// What the DFA compiler builds of each pattern alone, kept from one compile
// to the next, so that a change to one policy file rebuilds only its own
// patterns' automata; and the products of groups of them (GroupedProduct),
// so that only the product of the group the change falls in is built again.

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
/// one contiguous table of bytes (the pattern's text, its transitions, its
/// accepting states), written once the compile is over, so that what the
/// compile freed around it can go back to the kernel. A pattern's state
/// numbers are stored in as few bytes as its state count needs (one for up to
/// 256 states, as nearly every pattern has, two, or four): the table is what
/// the daemon keeps at rest for its regexes. A compile's new patterns are appended
/// to it; it is written anew, with only the patterns in use, when those no
/// longer in use would take more than half of it. One compile at a time.
public final class PatternCache: @unchecked Sendable {
    /// A pattern's minimal DFA over its own classes, accepting `id`, built under `stateLimit`.
    struct OwnDFA: Sendable {
        var dfa: DFA
        var id: Int
        var stateLimit: Int
    }

    /// Where one pattern's entry lies in `table`: its UTF-8 text, then
    /// stateCount × classCount transitions, then its accepting states, each
    /// state number `width` bytes long (little-endian). Its own classes are
    /// `partitions[partition]` (byte → class): patterns share them.
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
        var width: Int

        /// The bytes it takes in the table.
        var bytes: Int { textCount + (stateCount * classCount + acceptingCount) * width }
    }

    private var table: [UInt8] = []
    /// By the pattern text's hash: the slots of the patterns with that hash.
    private var slots: [Int: [Slot]] = [:]
    /// The distinct own classes of the automata in the table (byte → class), and their numbers.
    private var partitions: [[UInt8]] = []
    private var partitionNumbers: [[UInt8]: Int] = [:]
    public private(set) var count = 0
    /// The products of the groups of the last compile (GroupedProduct), by what each group is.
    var groups: [PatternGroupKey: CachedGroup] = [:]
    /// How many of them the last compile built (the others it found here).
    public internal(set) var groupsBuilt = 0

    public init() {}

    /// The bytes the kept automata take in the table (texts, transitions, accepting states).
    public var tableBytes: Int { table.count }
    /// The groups' products kept, and the bytes they take.
    public var groupCount: Int { groups.count }
    public var groupBytes: Int { groups.values.reduce(0) { $0 + $1.automaton.bytes } }

    func own(_ pattern: String) -> OwnDFA? {
        guard let slot = slot(of: pattern) else { return nil }
        let transitionsAt = slot.offset + slot.textCount
        let transitions = states(at: transitionsAt, count: slot.stateCount * slot.classCount, width: slot.width)
        var accepts = [[Int]](repeating: [], count: slot.stateCount)
        let acceptsAt = transitionsAt + transitions.count * slot.width
        for state in states(at: acceptsAt, count: slot.acceptingCount, width: slot.width) {
            accepts[Int(state)] = [slot.id]
        }
        let dfa = DFA(
            byteClass: partitions[slot.partition], classCount: slot.classCount, stateCount: slot.stateCount,
            start: slot.start, transitions: transitions, accepts: accepts)
        return OwnDFA(dfa: dfa, id: slot.id, stateLimit: slot.stateLimit)
    }

    /// `count` state numbers of `width` bytes each, from `offset` in the table.
    private func states(at offset: Int, count: Int, width: Int) -> [UInt32] {
        table.withUnsafeBufferPointer { bytes in
            switch width {
            case 1: return bytes[offset..<(offset + count)].map(UInt32.init)
            default:
                return (0..<count).map { k in
                    let at = offset + k * width
                    return (0..<width).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
                }
            }
        }
    }

    /// Appends state numbers, `width` bytes each.
    private func append(states: [UInt32], width: Int) {
        if width == 1 {
            table += states.map { UInt8(truncatingIfNeeded: $0) }
            return
        }
        for state in states {
            for k in 0..<width { table.append(UInt8(truncatingIfNeeded: state >> (8 * UInt32(k)))) }
        }
    }

    /// The bytes a state number takes for an automaton of `stateCount` states.
    private static func width(stateCount: Int) -> Int {
        stateCount <= 1 << 8 ? 1 : stateCount <= 1 << 16 ? 2 : 4
    }

    /// Keeps exactly these entries (those of the compile just done), and those
    /// it holds of `others` under `stateLimit` (patterns of the compile whose
    /// automata were not needed again). Those the table holds already stay
    /// where they are and new ones are appended; the table is written anew
    /// when what it holds for patterns no longer in use would pass what it
    /// holds for these.
    func replace(with entries: [(pattern: String, own: OwnDFA)], others: [String] = [], stateLimit: Int = 0) {
        var kept: [Int: [Slot]] = [:]
        var keptBytes = 0
        var keptCount = 0
        var fresh: [(pattern: String, own: OwnDFA)] = []
        func keep(_ slot: Slot, of pattern: String) {
            let hash = pattern.hashValue
            if kept[hash]?.contains(where: { $0.offset == slot.offset }) == true { return }
            kept[hash, default: []].append(slot)
            keptBytes += slot.bytes
            keptCount += 1
        }
        for entry in entries {
            guard let slot = slot(of: entry.pattern), slot.stateLimit == entry.own.stateLimit else {
                fresh.append(entry)
                continue
            }
            keep(slot, of: entry.pattern)
        }
        for pattern in others {
            guard let slot = slot(of: pattern), slot.stateLimit == stateLimit else { continue }
            keep(slot, of: pattern)
        }
        let freshBytes = fresh.reduce(0) { $0 + Self.bytes(of: $1) }
        if table.count - keptBytes > keptBytes + freshBytes {
            let all = entries + others.compactMap { pattern in
                own(pattern).flatMap { $0.stateLimit == stateLimit ? (pattern, $0) : nil }
            }
            table = []
            slots = [:]
            partitions = []
            partitionNumbers = [:]
            count = 0
            table.reserveCapacity(all.reduce(0) { $0 + Self.bytes(of: $1) })
            for entry in all { append(entry) }
            return
        }
        slots = kept
        count = keptCount
        // Room for exactly the new entries: a table grown by appending alone
        // would double its capacity, and keep it, for as long as the daemon runs.
        if table.capacity < table.count + freshBytes { table.reserveCapacity(table.count + freshBytes) }
        for entry in fresh { append(entry) }
    }

    /// The slot of `pattern`'s text, if the table holds it.
    private func slot(of pattern: String) -> Slot? {
        guard let candidates = slots[pattern.hashValue] else { return nil }
        let text = pattern.utf8
        return candidates.first { slot in
            slot.textCount == text.count && table[slot.offset..<(slot.offset + slot.textCount)].elementsEqual(text)
        }
    }

    /// Adds an entry at the end of the table, unless its pattern is there already.
    private func append(_ entry: (pattern: String, own: OwnDFA)) {
        let (pattern, own) = entry
        if slot(of: pattern) != nil { return }
        let text = pattern.utf8
        let width = Self.width(stateCount: own.dfa.stateCount)
        let accepting = own.dfa.accepts.indices.filter { !own.dfa.accepts[$0].isEmpty }
        let partition = partitionNumbers[own.dfa.byteClass] ?? partitions.count
        if partition == partitions.count {
            partitionNumbers[own.dfa.byteClass] = partition
            partitions.append(own.dfa.byteClass)
        }
        let slot = Slot(
            offset: table.count, textCount: text.count, classCount: own.dfa.classCount,
            stateCount: own.dfa.stateCount, acceptingCount: accepting.count, start: own.dfa.start,
            id: own.id, stateLimit: own.stateLimit, partition: partition, width: width)
        table += text
        append(states: own.dfa.transitions, width: width)
        append(states: accepting.map(UInt32.init), width: width)
        slots[pattern.hashValue, default: []].append(slot)
        count += 1
    }

    /// At most the bytes an entry takes in the table.
    private static func bytes(of entry: (pattern: String, own: OwnDFA)) -> Int {
        let width = width(stateCount: entry.own.dfa.stateCount)
        return entry.pattern.utf8.count + (entry.own.dfa.transitions.count + entry.own.dfa.stateCount) * width
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
