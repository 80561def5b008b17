// One pattern's automaton in a compile. A literal chain stays a chain: the
// simultaneous product reads its few transitions directly (ProductComponents),
// where its table would have a row of every class for every byte of the path,
// thousands of such tables at every compile. The table is built only when a
// rarer path needs it (a rule with several patterns, a compile over the cap).

enum PatternAutomaton {
    /// A literal chain accepting `id`, over the compile's classes.
    case chain(LiteralChain, id: Int)
    /// A cached minimal DFA over the pattern's own classes, and the own class
    /// of each of the compile's classes: the product reads its table through
    /// `coarseOf` rather than a copy spread over the compile's classes.
    case spread(DFA, coarseOf: [Int])
    /// Any other pattern's minimal DFA.
    case table(DFA)

    /// The minimal DFA, as a table over `classes` (those of the compile).
    func dfa(_ classes: ByteClasses) -> DFA {
        switch self {
        case .chain(let chain, let id): return chain.dfa(id: id, classes: classes)
        case .spread(let own, let coarseOf): return own.expanded(to: classes, coarseOf: coarseOf)
        case .table(let dfa): return dfa
        }
    }
}

extension LiteralChain {
    /// Whether the chain can die: then its idle state in a product is the dead
    /// state (`DFA.idleState`), as it is for every chain but a prefix of
    /// sets that each hold every byte.
    var canDie: Bool { anchoredAtEnd || sets.contains { $0 != .all } }
}

extension DFA {
    /// The byte classes of its table.
    var classes: ByteClasses { ByteClasses(classOf: byteClass.map(Int.init), count: classCount) }
}
