// Thompson construction: RegexNode → NFA over bytes, with ^ and $ as
// position assertions (edges followed only at the input start / end).
//
// The NFA of one pattern is wrapped for search semantics:
//
//     start:  split(prefixLoop, entry)      prefixLoop: any byte → start
//     entry … pattern … → match             match: any byte → match (final)
//
// so it accepts an input iff the pattern matches somewhere in it, and stays
// accepting once a match has been seen.

struct NFA {
    enum Kind: UInt8 {
        /// Consume one byte in `set`, go to `next[0]`.
        case bytes
        /// Epsilon edges to every state in `next`.
        case split
        /// Epsilon edge to `next[0]`, only at the start of the input (`^`).
        case assertStart
        /// Epsilon edge to `next[0]`, only at the end of the input (`$`).
        case assertEnd
    }

    struct State {
        var kind: Kind
        var set: ByteSet
        var next: [Int32]
    }

    private(set) var states: [State] = []
    private(set) var start: Int32 = 0
    /// The accepting state: loops on every byte.
    private(set) var match: Int32 = 0

    /// Builds the search NFA of one parsed pattern.
    init(searching node: RegexNode) {
        match = add(.bytes, .all, [])
        states[Int(match)].next = [match]
        let entry = compile(node, then: match)
        let prefixLoop = add(.bytes, .all, [])
        start = add(.split, ByteSet(), [prefixLoop, entry])
        states[Int(prefixLoop)].next = [start]
    }

    var count: Int { states.count }

    private mutating func add(_ kind: Kind, _ set: ByteSet, _ next: [Int32]) -> Int32 {
        states.append(State(kind: kind, set: set, next: next))
        return Int32(states.count - 1)
    }

    /// Compiles `node` so that it continues to `cont`; returns its entry state.
    /// Building back to front needs no patch lists.
    private mutating func compile(_ node: RegexNode, then cont: Int32) -> Int32 {
        switch node {
        case .empty:
            return cont
        case .byteSet(let set):
            return add(.bytes, set, [cont])
        case .group(let inner):
            return compile(inner, then: cont)
        case .concatenation(let items):
            var entry = cont
            for item in items.reversed() { entry = compile(item, then: entry) }
            return entry
        case .alternation(let branches):
            let entries = branches.map { compile($0, then: cont) }
            return add(.split, ByteSet(), entries)
        case .startAnchor:
            return add(.assertStart, ByteSet(), [cont])
        case .endAnchor:
            return add(.assertEnd, ByteSet(), [cont])
        case .repetition(let inner, let min, let max):
            var entry = cont
            var mandatory = min
            if let max {
                // x{m,n} = x…x (x(x(…)?)?)? : the optional copies, innermost first.
                for _ in 0..<(max - min) {
                    let body = compile(inner, then: entry)
                    entry = add(.split, ByteSet(), [body, cont])
                }
            } else {
                // x* as a loop; x{m,} = x{m-1} x+ so the loop's body is one of the m copies.
                let loop = add(.split, ByteSet(), [])
                let body = compile(inner, then: loop)
                states[Int(loop)].next = [body, cont]
                if min == 0 {
                    entry = loop
                } else {
                    entry = body
                    mandatory = min - 1
                }
            }
            for _ in 0..<mandatory { entry = compile(inner, then: entry) }
            return entry
        }
    }
}
