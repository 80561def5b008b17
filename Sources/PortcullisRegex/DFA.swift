/// A deterministic automaton over byte classes, laid out as the tables the
/// BPF programs walk: per input byte, `byteClass[byte]` then one transition.
public struct DFA: Sendable, Equatable {
    /// State 0 is always the dead state: non-accepting and absorbing.
    public static let dead: UInt32 = 0

    /// 256 entries: byte → class index.
    public var byteClass: [UInt8]
    public var classCount: Int
    public var stateCount: Int
    public var start: UInt32
    /// stateCount * classCount, row-major: next = transitions[state * classCount + class].
    public var transitions: [UInt32]
    /// Per state, the sorted ids of the patterns that match when the input ends there.
    public var accepts: [[Int]]

    public init(
        byteClass: [UInt8], classCount: Int, stateCount: Int, start: UInt32,
        transitions: [UInt32], accepts: [[Int]]
    ) {
        self.byteClass = byteClass
        self.classCount = classCount
        self.stateCount = stateCount
        self.start = start
        self.transitions = transitions
        self.accepts = accepts
    }

    /// The state after reading all of `input`; stops early at the dead state.
    public func run(_ input: some Sequence<UInt8>) -> UInt32 {
        var state = start
        for byte in input {
            if state == DFA.dead { break }
            state = transitions[Int(state) * classCount + Int(byteClass[Int(byte)])]
        }
        return state
    }

    /// The ids of every pattern that matches `input`.
    public func matches(_ input: some Sequence<UInt8>) -> [Int] {
        accepts[Int(run(input))]
    }

    /// The transition from `state` on `byte`.
    public func next(_ state: UInt32, _ byte: UInt8) -> UInt32 {
        transitions[Int(state) * classCount + Int(byteClass[Int(byte)])]
    }
}
