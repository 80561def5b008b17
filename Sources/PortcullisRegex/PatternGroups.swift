// The exec patterns cut into groups of components whose products are kept
// between compiles (GroupedProduct). Where a group ends depends on its last
// component's patterns alone, never on ids or positions: a rule added, changed
// or removed changes only the group it falls in (or joins it to the next one,
// or splits it), and every other group is found again as it was, whatever ids
// its rules now have.

/// A group of components by what they are: each component's patterns (those
/// of one id), in ascending order of id, and the cap the group is built under.
/// Ids are not part of it: a rule added in an earlier file moves them all. The
/// patterns are kept as one run of bytes (per component its pattern count, per
/// pattern its length and its UTF-8 text), not as thousands of strings: the
/// cache keeps a key per group at rest.
struct PatternGroupKey: Hashable, Sendable {
    private(set) var text: [UInt8] = []
    let stateLimit: Int

    init(stateLimit: Int) { self.stateLimit = stateLimit }

    mutating func append(component patterns: ArraySlice<(id: Int, pattern: String)>) {
        append(patterns.count)
        for p in patterns {
            append(p.pattern.utf8.count)
            text += p.pattern.utf8
        }
    }

    /// A count or a length, in 4 bytes (little-endian).
    private mutating func append(_ count: Int) {
        for k in 0..<4 { text.append(UInt8(truncatingIfNeeded: count >> (8 * k))) }
    }
}

/// The patterns of a compile cut into groups: each group's key, the id of
/// each of its components, and its patterns (those of its components, in order).
struct PatternGroup: Sendable {
    var key: PatternGroupKey
    var ids: [Int] = []
    var patterns: ArraySlice<(id: Int, pattern: String)>
}

/// A group's product as the cache keeps it, and the patterns of the group whose
/// own automata the cache keeps too (its regexes, for when the group changes).
struct CachedGroup: Sendable {
    var automaton: GroupAutomaton
    var regexes: [String]
}

extension DFACompiler {
    /// Components per group, on average: a group ends after a component whose
    /// patterns hash to 0 modulo this.
    static let groupSpacing: UInt64 = 64
    /// The most components in a group (a run without such a component is cut here).
    static let groupMaximum = 256

    /// The patterns' components (one per id, in ascending order of id) in groups.
    static func groups(of patterns: [(id: Int, pattern: String)], stateLimit: Int) -> [PatternGroup] {
        var ordered = patterns
        if !patterns.indices.dropFirst().allSatisfy({ patterns[$0 - 1].id <= patterns[$0].id }) {
            ordered = patterns.enumerated().sorted { ($0.element.id, $0.offset) < ($1.element.id, $1.offset) }
                .map(\.element)
        }
        var groups: [PatternGroup] = []
        var current = PatternGroup(key: PatternGroupKey(stateLimit: stateLimit), patterns: ordered[0..<0])
        var k = 0
        while k < ordered.count {
            let first = k
            while k < ordered.count && ordered[k].id == ordered[first].id { k += 1 }
            current.key.append(component: ordered[first..<k])
            current.ids.append(ordered[first].id)
            current.patterns = ordered[current.patterns.startIndex..<k]
            if endsGroup(ordered[first..<k]) || current.ids.count == groupMaximum || k == ordered.count {
                groups.append(current)
                current = PatternGroup(key: PatternGroupKey(stateLimit: stateLimit), patterns: ordered[k..<k])
            }
        }
        return groups
    }

    /// Whether a group ends after this component: FNV-1a of its patterns'
    /// bytes (its high bits, which every byte reaches).
    static func endsGroup(_ component: ArraySlice<(id: Int, pattern: String)>) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for p in component {
            for byte in p.pattern.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0xff) &* 0x100_0000_01b3
        }
        return (hash >> 40) % groupSpacing == 0
    }
}
