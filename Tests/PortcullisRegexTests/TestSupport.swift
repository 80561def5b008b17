import Dispatch
import Foundation

@testable import PortcullisRegex

/// Compiles one pattern with id 0.
func compileOne(_ pattern: String, stateLimit: Int = DFACompiler.defaultStateLimit) throws -> DFA {
    try DFACompiler.compile([(id: 0, pattern: pattern)], stateLimit: stateLimit)
}

extension DFA {
    func matches(_ s: String) -> [Int] { matches(Array(s.utf8)) }
    func isMatch(_ s: String) -> Bool { !matches(s).isEmpty }
}

/// A small deterministic generator for test data (SplitMix64).
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// An independent minimality check (naive Moore refinement): the number of
/// equivalence classes of states reachable from the start, plus the dead state.
func naiveMinimalStateCount(_ dfa: DFA) -> Int {
    var reachable = Set<Int>([0, Int(dfa.start)])
    var queue = [Int(dfa.start)]
    while let s = queue.popLast() {
        for c in 0..<dfa.classCount {
            let t = Int(dfa.transitions[s * dfa.classCount + c])
            if reachable.insert(t).inserted { queue.append(t) }
        }
    }
    let states = reachable.sorted()
    var label: [Int: Int] = [:]
    var signatures: [[Int]: Int] = [:]
    for s in states {
        let key = dfa.accepts[s]
        label[s] = signatures[key] ?? { signatures[key] = signatures.count; return signatures.count - 1 }()
    }
    while true {
        var next: [Int: Int] = [:]
        var keys: [[Int]: Int] = [:]
        for s in states {
            var key = [label[s]!]
            for c in 0..<dfa.classCount { key.append(label[Int(dfa.transitions[s * dfa.classCount + c])]!) }
            next[s] = keys[key] ?? { keys[key] = keys.count; return keys.count - 1 }()
        }
        if keys.count == Set(label.values).count { return keys.count }
        label = next
    }
}

/// Structural invariants every compiled DFA must satisfy.
func checkInvariants(_ dfa: DFA) -> [String] {
    var problems: [String] = []
    if dfa.byteClass.count != 256 { problems.append("byteClass has \(dfa.byteClass.count) entries") }
    if dfa.byteClass.contains(where: { Int($0) >= dfa.classCount }) { problems.append("class out of range") }
    if Set(dfa.byteClass).count != dfa.classCount { problems.append("unused class") }
    if dfa.transitions.count != dfa.stateCount * dfa.classCount { problems.append("table size") }
    if dfa.accepts.count != dfa.stateCount { problems.append("accepts size") }
    if dfa.transitions.contains(where: { Int($0) >= dfa.stateCount }) { problems.append("target out of range") }
    if Int(dfa.start) >= dfa.stateCount { problems.append("start out of range") }
    if !dfa.accepts[0].isEmpty { problems.append("dead state accepts") }
    if dfa.transitions[0..<dfa.classCount].contains(where: { $0 != DFA.dead }) { problems.append("dead state leaves") }
    for a in dfa.accepts where a != Array(Set(a)).sorted() { problems.append("accepts not sorted/unique: \(a)") }
    // Classes are numbered by smallest byte.
    var seen = -1
    for b in 0..<256 where Int(dfa.byteClass[b]) > seen {
        if Int(dfa.byteClass[b]) != seen + 1 { problems.append("classes not numbered by first byte") }
        seen = Int(dfa.byteClass[b])
    }
    return problems
}

/// Swift Regex search results for `inputs`, shortest first. Swift's engine
/// backtracks, and some random patterns are exponential in the input length;
/// once the next (longer) input is predicted to cost more than `budget`
/// (assuming 4× per extra character), the remaining inputs are skipped. The
/// prediction can be wrong (a longer input may take another path, or grow
/// faster than 4× a character), so no search is waited for past `limit`
/// either: it is left to run on its own thread until the process exits, and
/// the pattern's remaining inputs are skipped.
func swiftSearch(
    _ regex: Regex<AnyRegexOutput>, _ inputs: [String], budget: Duration = .milliseconds(20),
    limit: Duration = .seconds(2)
) -> [(input: String, matched: Bool)] {
    let clock = ContinuousClock()
    var results: [(input: String, matched: Bool)] = []
    var last: (length: Int, time: Duration)?
    for input in inputs.sorted(by: { $0.utf8.count < $1.utf8.count }) {
        let length = input.utf8.count
        if let last {
            let gap = length - last.length
            if gap >= 8 && last.time > .microseconds(1) { break }
            if last.time * (1 << (2 * gap)) > budget { break }
        }
        let t0 = clock.now
        guard let matched = SwiftSearch.matches(regex, input, within: limit) else { break }
        last = (length, clock.now - t0)
        results.append((input, matched))
    }
    return results
}

/// One Swift Regex search on a thread of its own, waited for up to a limit.
enum SwiftSearch {
    final class Outcome: @unchecked Sendable {  // written by the search thread before `done` is signalled
        var matched = false
        let done = DispatchSemaphore(value: 0)
    }

    /// Whether `input` has a match; nil when the search took longer than `limit`.
    static func matches(_ regex: Regex<AnyRegexOutput>, _ input: String, within limit: Duration) -> Bool? {
        let outcome = Outcome()
        nonisolated(unsafe) let regex = regex
        let thread = Thread {
            outcome.matched = input.firstMatch(of: regex) != nil
            outcome.done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        let (seconds, attoseconds) = limit.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        guard outcome.done.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else { return nil }
        return outcome.matched
    }
}
