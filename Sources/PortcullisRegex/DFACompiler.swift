// The pipeline: patterns → parse → NFA → subset construction → minimize (a
// pattern that is `^` and a literal run gets its minimal DFA directly), then
// the patterns' DFAs are combined in one simultaneous product with tagged
// accepts, which is already minimal, and canonicalized. When it exceeds the
// cap, patterns are added one by one to name the culprit.

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
        try compile(parsed: parse(patterns), stateLimit: stateLimit, cache: cache)
    }

    /// Every pattern parsed, on every processor; throws for the first that does not parse.
    static func parse(
        _ patterns: [(id: Int, pattern: String)]
    ) throws(PatternSyntaxError) -> [(id: Int, pattern: String, node: RegexNode)] {
        let results = patterns.concurrentMap { p in
            Result { () throws(RegexSyntaxError) in try RegexPattern.parse(p.pattern) }
        }
        var parsed: [(id: Int, pattern: String, node: RegexNode)] = []
        parsed.reserveCapacity(patterns.count)
        for (p, result) in zip(patterns, results) {
            switch result {
            case .success(let node): parsed.append((p.id, p.pattern, node))
            case .failure(let error): throw PatternSyntaxError(patternID: p.id, pattern: p.pattern, error: error)
            }
        }
        return parsed
    }

    /// The same, for patterns already parsed (`pattern` names the pattern in
    /// messages, and in the cache).
    public static func compile(
        parsed patterns: [(id: Int, pattern: String, node: RegexNode)],
        stateLimit: Int = defaultStateLimit, cache: PatternCache? = nil
    ) throws(DFACompileError) -> DFA {
        let singles = try singleDFAs(patterns, stateLimit: stateLimit, cache: cache)
        return try combined(singles, patterns, stateLimit: stateLimit)
    }

    /// Each pattern's minimal DFA over the classes of all of them; throws naming
    /// the first pattern over the cap on its own.
    static func singleDFAs(
        _ patterns: [(id: Int, pattern: String, node: RegexNode)], stateLimit: Int, cache: PatternCache?
    ) throws(DFACompileError) -> [DFA] {
        var sets: Set<ByteSet> = [.all]
        for p in patterns { p.node.collectByteSets(into: &sets) }
        let classes = ByteClasses(refining: sets)

        // Each pattern alone: a pattern over the cap is named right away.
        let built = patterns.concurrentMap {
            single($0.node, id: $0.id, classes: classes, stateLimit: stateLimit, own: cache?.own($0.pattern))
        }
        if let cache {
            cache.replace(with: zip(patterns, built).compactMap { p, b in b.own.map { (p.pattern, $0) } })
        }
        var singles: [DFA] = []
        singles.reserveCapacity(patterns.count)
        for (p, single) in zip(patterns, built.map(\.dfa)) {
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

    /// The DFA that matches nothing.
    static let empty = DFA(
        byteClass: [UInt8](repeating: 0, count: 256), classCount: 1, stateCount: 1,
        start: DFA.dead, transitions: [DFA.dead], accepts: [[]])

    /// The patterns' single DFAs in one product, minimal and canonical; throws
    /// naming the first pattern that does not fit with those before it.
    static func combined(
        _ singles: [DFA], _ patterns: [(id: Int, pattern: String, node: RegexNode)], stateLimit: Int
    ) throws(DFACompileError) -> DFA {
        if singles.isEmpty { return empty }

        // All at once: the usual case, and the fast one. Patterns that share an
        // id (one rule with several paths) are combined first, so that each
        // component accepts its own id.
        guard let components = try? componentsByID(singles, ids: patterns.map(\.id), stateLimit: stateLimit)
        else {
            // A rule's own patterns went over the cap: the balanced tree decides,
            // as it always did, whether the patterns fit together.
            do {
                return try combinePairwise(singles, stateLimit: stateLimit).mergingIdenticalClasses().renumbered()
            } catch {
                return try combineIncrementally(singles, patterns, stateLimit: stateLimit)
                    .mergingIdenticalClasses().renumbered()
            }
        }
        // With one component per id the simultaneous product is minimal, so it
        // passes the cap exactly when the minimal DFA of all the patterns does;
        // then every way of combining them passes it too (the balanced tree's
        // last product, and adding the patterns one by one, which names the
        // first pattern that does not fit with those before it).
        guard let product = try? SimultaneousProduct.build(components, stateLimit: stateLimit) else {
            return try combineIncrementally(singles, patterns, stateLimit: stateLimit)
                .mergingIdenticalClasses().renumbered()
        }
        return product.mergingIdenticalClasses().renumbered()
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
        _ singles: [DFA], ids: [Int], stateLimit: Int
    ) throws(StateLimitExceeded) -> [DFA] {
        var members: [Int: [Int]] = [:]
        for (k, id) in ids.enumerated() { members[id, default: []].append(k) }
        var components: [DFA] = []
        components.reserveCapacity(members.count)
        for id in members.keys.sorted() {
            let group = members[id]!
            components.append(
                group.count == 1 ? singles[group[0]]
                    : try combinePairwise(group.map { singles[$0] }, stateLimit: stateLimit))
        }
        return components
    }
}
