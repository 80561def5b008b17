// The exec patterns cut into groups of components whose products are kept
// between compiles (GroupedProduct). Where a group ends depends on its last
// component's patterns alone, never on ids or positions: a rule added, changed
// or removed changes only the group it falls in (or joins it to the next one,
// or splits it), and every other group is found again as it was, whatever ids
// its rules now have.

/// A group of components by what they are: each component's patterns (those
/// of one id), in ascending order of id, and the cap the group is built under.
/// Ids are not part of it: a rule added in an earlier file moves them all.
struct PatternGroupKey: Hashable, Sendable {
    var components: [[String]]
    var stateLimit: Int
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

    /// The patterns' components (one per id, in ascending order of id) in groups:
    /// each group's key, and the id of each of its components.
    static func groups(
        of patterns: [(id: Int, pattern: String)], stateLimit: Int
    ) -> [(key: PatternGroupKey, ids: [Int])] {
        var ordered = patterns
        if !patterns.indices.dropFirst().allSatisfy({ patterns[$0 - 1].id <= patterns[$0].id }) {
            ordered = patterns.enumerated().sorted { ($0.element.id, $0.offset) < ($1.element.id, $1.offset) }
                .map(\.element)
        }
        var groups: [(key: PatternGroupKey, ids: [Int])] = []
        var current = (key: PatternGroupKey(components: [], stateLimit: stateLimit), ids: [Int]())
        func close() {
            groups.append(current)
            current = (PatternGroupKey(components: [], stateLimit: stateLimit), [])
        }
        var k = 0
        while k < ordered.count {
            let id = ordered[k].id
            var component: [String] = []
            while k < ordered.count && ordered[k].id == id {
                component.append(ordered[k].pattern)
                k += 1
            }
            current.key.components.append(component)
            current.ids.append(id)
            if Self.endsGroup(component) || current.ids.count == groupMaximum { close() }
        }
        if !current.ids.isEmpty { close() }
        return groups
    }

    /// Whether a group ends after this component: FNV-1a of its patterns'
    /// bytes (its high bits, which every byte reaches).
    static func endsGroup(_ component: [String]) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for pattern in component {
            for byte in pattern.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0xff) &* 0x100_0000_01b3
        }
        return (hash >> 40) % groupSpacing == 0
    }
}
