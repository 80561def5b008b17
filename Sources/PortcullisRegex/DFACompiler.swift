// The pipeline: patterns → parse → NFA → subset construction → minimize (a
// pattern that is `^` and a literal run gets its minimal DFA directly, read
// off its text when it plainly is one; a pattern the cache holds is not
// parsed again), then the patterns' DFAs are combined in one simultaneous
// product with tagged accepts, which is already minimal, and canonicalized
// (with a cache, the exec patterns' product is that of their groups' products,
// GroupedProduct: the same DFA). When it exceeds the cap, patterns are added
// one by one to name the culprit.

/// The state cap was exceeded; names the pattern whose addition exceeded it.
public struct DFACompileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var patternID: Int
    public var pattern: String
    public var stateLimit: Int
    public var message: String

    public init(patternID: Int, pattern: String, stateLimit: Int, message: String) {
        self.patternID = patternID
        self.pattern = pattern
        self.stateLimit = stateLimit
        self.message = message
    }

    public var description: String { message }
}

/// A pattern given to `DFACompiler.compile` failed to parse.
public struct PatternSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var patternID: Int
    public var pattern: String
    public var error: RegexSyntaxError

    public init(patternID: Int, pattern: String, error: RegexSyntaxError) {
        self.patternID = patternID
        self.pattern = pattern
        self.error = error
    }

    public var description: String {
        "pattern #\(patternID) '\(pattern)': \(error.message) at offset \(error.offset)"
    }
}

public enum DFACompiler {
    public static let defaultStateLimit = 65_536

    static let hint =
        "hint: bounded repetitions like .{1,500} after .* (or in an unanchored pattern) "
        + "multiply states; anchor the pattern with ^, narrow the repeated class, "
        + "or lower the count"

    /// All patterns merged into one product DFA (union with tagged accepts), minimized.
    /// Throws `PatternSyntaxError` for a pattern that does not parse and
    /// `DFACompileError` when the DFA would need more than `stateLimit` states.
    /// With a `cache`, what an earlier compile given it built of a pattern alone
    /// (its parse, its own DFA) is reused, and the cache then holds these patterns'.
    public static func compile(
        _ patterns: [(id: Int, pattern: String)], stateLimit: Int = defaultStateLimit, cache: PatternCache? = nil
    ) throws -> DFA {
        try compile(patterns, sources: sources(patterns, stateLimit: stateLimit, cache: cache), stateLimit: stateLimit, cache: cache)
    }

    /// Each pattern's source, on every processor: literal chains are read off
    /// their text and cached automata taken as they are, only the other
    /// patterns are parsed; throws for the first that does not parse.
    static func sources(
        _ patterns: [(id: Int, pattern: String)], stateLimit: Int, cache: PatternCache?
    ) throws(PatternSyntaxError) -> [PatternSource] {
        let sources = patterns.concurrentMap { p in PatternSource(p.pattern, stateLimit: stateLimit, cache: cache) }
        for (p, source) in zip(patterns, sources) {
            if case .unparsable(let error) = source {
                throw PatternSyntaxError(patternID: p.id, pattern: p.pattern, error: error)
            }
        }
        return sources
    }

    /// The same, for patterns already parsed (`pattern` names the pattern in
    /// messages, and in the cache).
    public static func compile(
        parsed patterns: [(id: Int, pattern: String, node: RegexNode)],
        stateLimit: Int = defaultStateLimit, cache: PatternCache? = nil
    ) throws(DFACompileError) -> DFA {
        try compile(
            patterns.map { (id: $0.id, pattern: $0.pattern) },
            sources: patterns.map { PatternSource(parsed: $0.node, stateLimit: stateLimit) },
            stateLimit: stateLimit, cache: cache)
    }

    static func compile(
        _ patterns: [(id: Int, pattern: String)], sources: [PatternSource], stateLimit: Int, cache: PatternCache?
    ) throws(DFACompileError) -> DFA {
        let classes = classes(of: sources)
        let singles = try singleAutomata(patterns, sources: sources, classes: classes, stateLimit: stateLimit, cache: cache)
        return try combined(singles, patterns, classes: classes, stateLimit: stateLimit)
    }

    /// The classes of all the patterns' byte sets.
    static func classes(of sources: [PatternSource]) -> ByteClasses {
        var sets = ByteSetCollector()
        for source in sources { source.forEachByteSet { sets.insert($0) } }
        return ByteClasses(refining: sets.sets)
    }

    /// Each pattern's minimal automaton over `classes`; throws naming the first
    /// pattern over the cap on its own. With a `cache`, it then holds these patterns'.
    static func singleAutomata(
        _ patterns: [(id: Int, pattern: String)], sources: [PatternSource], classes: ByteClasses, stateLimit: Int,
        cache: PatternCache?
    ) throws(DFACompileError) -> [PatternAutomaton] {
        // Each pattern alone: a pattern over the cap is named right away.
        let built = singles(patterns, sources: sources, classes: classes, stateLimit: stateLimit, cache: cache)
        if let cache {
            cache.replace(with: zip(patterns, built).compactMap { p, b in b.own.map { (p.pattern, $0) } })
        }
        var singles: [PatternAutomaton] = []
        singles.reserveCapacity(patterns.count)
        for (p, single) in zip(patterns, built.map(\.automaton)) {
            guard let single else {
                throw DFACompileError(
                    patternID: p.id, pattern: p.pattern, stateLimit: stateLimit,
                    message: "pattern #\(p.id) '\(p.pattern)' needs more than \(stateLimit) "
                        + "DFA states on its own; \(hint)")
            }
            singles.append(single)
        }
        return singles
    }

    /// Each pattern's automaton over `classes` (nil over the cap), and its own
    /// for the cache (nil for a chain), on every processor.
    static func singles(
        _ patterns: [(id: Int, pattern: String)], sources: [PatternSource], classes: ByteClasses, stateLimit: Int,
        cache: PatternCache?
    ) -> [(automaton: PatternAutomaton?, own: PatternCache.OwnDFA?)] {
        zip(patterns, sources).map { ($0.0.id, $0.0.pattern, $0.1) }.concurrentMap { id, pattern, source in
            single(source, pattern: pattern, id: id, classes: classes, stateLimit: stateLimit, cache: cache)
        }
    }

    /// The DFA that matches nothing.
    static let empty = DFA(
        byteClass: [UInt8](repeating: 0, count: 256), classCount: 1, stateCount: 1,
        start: DFA.dead, transitions: [DFA.dead], accepts: [[]])

    /// The patterns' automata in one product, minimal and canonical; throws
    /// naming the first pattern that does not fit with those before it.
    static func combined(
        _ singles: [PatternAutomaton], _ patterns: [(id: Int, pattern: String)], classes: ByteClasses, stateLimit: Int
    ) throws(DFACompileError) -> DFA {
        if singles.isEmpty { return empty }

        // All at once: the usual case, and the fast one. Patterns that share an
        // id (one rule with several paths) are combined first, so that each
        // component accepts its own id.
        guard
            let components = try? componentsByID(
                singles, ids: patterns.map(\.id), classes: classes, stateLimit: stateLimit)
        else {
            // A rule's own patterns went over the cap: the balanced tree decides,
            // as it always did, whether the patterns fit together.
            do {
                return try combinePairwise(singles.map { $0.dfa(classes) }, stateLimit: stateLimit).mergingIdenticalClasses()
                    .renumbered()
            } catch {
                return try combineIncrementally(singles.map { $0.dfa(classes) }, patterns, stateLimit: stateLimit)
                    .mergingIdenticalClasses().renumbered()
            }
        }
        // With one component per id the simultaneous product is minimal, so it
        // passes the cap exactly when the minimal DFA of all the patterns does;
        // then every way of combining them passes it too (the balanced tree's
        // last product, and adding the patterns one by one, which names the
        // first pattern that does not fit with those before it).
        guard
            let product = try? SimultaneousProduct.build(
                components, classes: classes, stateLimit: stateLimit)
        else {
            return try combineIncrementally(singles.map { $0.dfa(classes) }, patterns, stateLimit: stateLimit)
                .mergingIdenticalClasses().renumbered()
        }
        return product.mergingIdenticalClasses().renumbered()
    }

    /// `single` of a pattern from its source: a chain built directly, a cached
    /// automaton spread over `classes`, a parse built (with what `cache` keeps of it).
    static func single(
        _ source: PatternSource, pattern: String, id: Int, classes: ByteClasses, stateLimit: Int, cache: PatternCache?
    ) -> (automaton: PatternAutomaton?, own: PatternCache.OwnDFA?) {
        switch source {
        case .chain(let chain): return (.chain(chain, id: id), nil)
        case .cached(let own):
            let dfa = own.id == id ? own.dfa : own.dfa.relabeled(to: id)
            return (.spread(dfa, coarseOf: classes.coarseOf(in: own.classes)), own)
        case .parsed(let node):
            let built = single(node, id: id, classes: classes, stateLimit: stateLimit, own: cache?.own(pattern))
            return (built.dfa.map { .table($0) }, built.own)
        case .unparsable: return (nil, nil)
        }
    }

    /// The minimal DFA of one pattern over `classes`, or nil when its subset
    /// construction needs more than `stateLimit` states. Subset construction and
    /// minimization run over the pattern's own classes, the coarsest that tell
    /// its byte sets apart: the same states and the same partition, since all
    /// the classes inside one of its own move alike; the result is then
    /// spread over `classes` (in the same numbering: each of its own classes
    /// first appears, in `classes`, at its smallest byte). Its own classes
    /// depend on the pattern alone, so `own`, the minimal DFA an earlier compile
    /// built of it under the same cap, is used as it is. Returns the DFA, and
    /// the one over its own classes (nil for a literal chain, built directly).
    static func single(
        _ node: RegexNode, id: Int, classes: ByteClasses, stateLimit: Int, own cached: PatternCache.OwnDFA? = nil
    ) -> (dfa: DFA?, own: PatternCache.OwnDFA?) {
        if let chain = LiteralChain(node), chain.subsetConstructionStates <= stateLimit {
            return (chain.dfa(id: id, classes: classes), nil)
        }
        var sets: [ByteSet] = []
        node.forEachByteSet { sets.append($0) }
        let own = classes.coarsened(toSeparate: sets)
        let minimal: PatternCache.OwnDFA
        if let cached, cached.stateLimit == stateLimit {
            minimal = cached
        } else {
            guard
                let dfa = try? SubsetConstruction.build(
                    NFA(searching: node), id: id, classes: own.classes, stateLimit: stateLimit)
            else { return (nil, nil) }
            minimal = PatternCache.OwnDFA(dfa: dfa.minimized(), id: id, stateLimit: stateLimit)
        }
        let dfa = minimal.id == id ? minimal.dfa : minimal.dfa.relabeled(to: id)
        return (dfa.expanded(to: classes, coarseOf: own.coarseOf), minimal)
    }

    /// One DFA per id, in ascending order of id: the single DFA of a pattern,
    /// or the minimal DFA of the patterns that share the id.
    static func componentsByID(
        _ singles: [PatternAutomaton], ids: [Int], classes: ByteClasses, stateLimit: Int
    ) throws(StateLimitExceeded) -> [PatternAutomaton] {
        var members: [Int: [Int]] = [:]
        for (k, id) in ids.enumerated() { members[id, default: []].append(k) }
        var components: [PatternAutomaton] = []
        components.reserveCapacity(members.count)
        for id in members.keys.sorted() {
            let group = members[id]!
            components.append(
                group.count == 1 ? singles[group[0]]
                    : .table(try combinePairwise(group.map { singles[$0].dfa(classes) }, stateLimit: stateLimit)))
        }
        return components
    }
}
