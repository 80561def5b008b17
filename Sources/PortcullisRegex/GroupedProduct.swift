// The product of all the exec patterns built from the products of groups of
// them (PatternGroups), each kept by the cache: after a change to one file,
// only the group it falls in is built again, from its patterns (whose own
// automata the cache keeps too), and the product of the groups' products is
// built in place of the product of every pattern.
//
// It is the same DFA, byte for byte: each group's product is minimal (its
// components are, and accept distinct ids), so the product of the groups is
// minimal too (the groups accept distinct ids), and a minimal DFA, once its
// identical classes are merged and its states numbered canonically, is the
// same whichever way it was built.

/// What `DFACompiler.groupedProduct` gives.
enum GroupedProduct {
    /// The product of all the patterns, minimal and canonical.
    case product(DFA)
    /// Every group fits under the cap, all of them together do not (nor would
    /// the product of every pattern: it has the same states).
    case overCap
    /// A group does not build (a pattern that does not parse, one over the cap):
    /// the compile without groups names it.
    case unavailable
}

extension DFACompiler {
    /// The product of `patterns` from their groups' products, those the cache
    /// holds and those built now; the cache then holds exactly this compile's groups.
    static func groupedProduct(
        _ patterns: [(id: Int, pattern: String)], stateLimit: Int, cache: PatternCache
    ) -> GroupedProduct {
        let groups = groups(of: patterns, stateLimit: stateLimit)
        let found = groups.map { cache.groups[$0.key] }
        let missing = found.indices.filter { found[$0] == nil }
        let built = missing.concurrentMap(chunk: 1) { k in group(groups[k], cache: cache) }
        var entries = found
        var fresh: [(pattern: String, own: PatternCache.OwnDFA)] = []
        for (k, group) in zip(missing, built) {
            guard let group else { return .unavailable }
            entries[k] = group.cached
            fresh += group.owns
        }
        let kept = entries.compactMap { $0 }  // every group's, found or built
        let others = found.flatMap { $0?.regexes ?? [] }
        cache.groupsBuilt = missing.count
        cache.groups = Dictionary(zip(groups, kept).map { ($0.key, $1) }, uniquingKeysWith: { first, _ in first })
        cache.replace(with: fresh, others: others, stateLimit: stateLimit)

        var sets = ByteSetCollector()
        for entry in kept { entry.automaton.classes.sets.forEach { sets.insert($0) } }
        let classes = ByteClasses(refining: sets.sets)
        let components = ProductComponents(
            groups: zip(kept, groups).map { ($0.automaton, $1.ids) }, classes: classes)
        guard let product = try? SimultaneousProduct.build(components, classes: classes, stateLimit: stateLimit) else {
            return .overCap
        }
        return .product(product.mergingIdenticalClasses().renumbered())
    }

    /// A group's product, its components numbered from 0, and the own automata
    /// of its regexes; nil when it does not build.
    static func group(
        _ group: PatternGroup, cache: PatternCache
    ) -> (cached: CachedGroup, owns: [(pattern: String, own: PatternCache.OwnDFA)])? {
        let key = group.key
        let local = Dictionary(uniqueKeysWithValues: group.ids.enumerated().map { ($1, $0) })
        let patterns = group.patterns.map { (id: local[$0.id]!, pattern: $0.pattern) }
        guard let sources = try? sources(patterns, stateLimit: key.stateLimit, cache: cache) else { return nil }
        let classes = classes(of: sources)
        let built = singles(patterns, sources: sources, classes: classes, stateLimit: key.stateLimit, cache: cache)
        let automata = built.compactMap(\.automaton)
        guard automata.count == patterns.count,
            let components = try? componentsByID(
                automata, ids: patterns.map(\.id), classes: classes, stateLimit: key.stateLimit),
            let product = try? SimultaneousProduct.build(components, classes: classes, stateLimit: key.stateLimit)
        else { return nil }
        let owns = zip(patterns, built).compactMap { p, b in b.own.map { (pattern: p.pattern, own: $0) } }
        let automaton = GroupAutomaton(product.mergingIdenticalClasses())
        return (CachedGroup(automaton: automaton, regexes: owns.map(\.pattern)), owns)
    }
}
