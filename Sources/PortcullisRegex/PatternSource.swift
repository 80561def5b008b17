// Where a pattern's own automaton comes from in a compile: read off its text
// (a literal chain), kept by the cache from an earlier compile (its minimal
// DFA over its own classes), or built from its parse. Only the last needs the
// parse, so a compile after a one-file change parses only that file's new
// patterns.

enum PatternSource {
    /// `^` and a run of byte sets, and maybe `$`: built directly.
    case chain(LiteralChain)
    /// The minimal DFA an earlier compile built of the pattern over its own classes.
    case cached(PatternCache.OwnDFA)
    /// Neither: the parse, for subset construction.
    case parsed(RegexNode)
    /// It does not parse.
    case unparsable(RegexSyntaxError)

    /// The source of `pattern` under `stateLimit`: its chain when its text is
    /// one, else its automaton in `cache`, else its parse.
    init(_ pattern: String, stateLimit: Int, cache: PatternCache?) {
        if let chain = LiteralChain(text: pattern), chain.subsetConstructionStates <= stateLimit {
            self = .chain(chain)
        } else if let own = cache?.own(pattern), own.stateLimit == stateLimit {
            self = .cached(own)
        } else {
            do {
                self = PatternSource(parsed: try RegexPattern.parse(pattern), stateLimit: stateLimit)
            } catch {
                self = .unparsable(error)
            }
        }
    }

    /// The source of a parsed pattern: its chain when it is one, else the parse.
    init(parsed node: RegexNode, stateLimit: Int) {
        if let chain = LiteralChain(node), chain.subsetConstructionStates <= stateLimit {
            self = .chain(chain)
        } else {
            self = .parsed(node)
        }
    }

    /// Every byte set the pattern tells apart (for a cached automaton, its own
    /// classes, which separate the same bytes).
    func forEachByteSet(_ body: (ByteSet) -> Void) {
        switch self {
        case .chain(let chain): chain.sets.forEach(body)
        case .cached(let own): own.classes.sets.forEach(body)
        case .parsed(let node): node.forEachByteSet(body)
        case .unparsable: break
        }
    }
}

extension PatternCache.OwnDFA {
    /// The pattern's own byte classes, over which `dfa` is built.
    var classes: ByteClasses { dfa.classes }
}
