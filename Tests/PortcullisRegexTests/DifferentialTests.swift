import Foundation
import PropertyBased
import Testing
@testable import PortcullisRegex

/// PORTCULLIS_REGEX_SOAK=N multiplies the number of random cases (default 1).
let soak = max(1, Int(ProcessInfo.processInfo.environment["PORTCULLIS_REGEX_SOAK"] ?? "") ?? 1)

/// Our DFA against Swift's own Regex (backtracking, search semantics via
/// firstMatch). Whether a match exists does not depend on leftmost-longest vs
/// leftmost-first, so the two must agree on every input.
@Suite("Differential against Swift Regex")
struct DifferentialTests {
    static let choices = Gen.int(in: 0...9999).array(of: 0...40)
    static let stateLimit = 5_000

    @Test func singlePatternsAgreeWithSwiftRegex() async throws {
        let compiled = Counter()
        let inputsTried = Counter()
        let inputsChecked = Counter()
        await propertyCheck(count: 2500 * soak, input: Self.choices, Gen.uint64()) { values, seed in
            var chooser = Chooser(values)
            let node = genPattern(&chooser)
            let (posix, swift) = (node.posix, node.swift)
            let regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex(swift)
            } catch {
                Issue.record("Swift rejects generated pattern \(swift) (ours: \(posix)): \(error)")
                return
            }
            let dfa: DFA
            do {
                dfa = try DFACompiler.compile([(id: 0, pattern: posix)], stateLimit: Self.stateLimit)
            } catch is DFACompileError {
                return  // too big for the test budget; counted below
            } catch {
                Issue.record("we reject \(posix) (Swift: \(swift)): \(error)")
                return
            }
            compiled.increment()
            let inputs = testInputs(for: node, seed: seed)
            let checked = swiftSearch(regex, inputs)
            inputsTried.increment(by: inputs.count)
            inputsChecked.increment(by: checked.count)
            for (input, expected) in checked {
                let actual = dfa.matches(Array(input.utf8)) == [0]
                if expected != actual {
                    Issue.record(
                        "pattern \(posix) (Swift: \(swift)) on \"\(input)\": ours \(actual), Swift \(expected)")
                    break
                }
            }
            let problems = checkInvariants(dfa)
            #expect(problems.isEmpty, "\(posix): \(problems)")
        }
        // Nearly every pattern must have been checked, not skipped for size.
        #expect(compiled.value >= 2400 * soak, "only \(compiled.value) patterns compiled under the cap")
        // …and nearly every input checked, not skipped for Swift's backtracking.
        #expect(inputsChecked.value * 10 >= inputsTried.value * 9, "\(inputsChecked.value) of \(inputsTried.value) inputs checked")
        print("differential: \(compiled.value) patterns compiled, \(inputsChecked.value) of \(inputsTried.value) inputs checked against Swift Regex")
    }

    @Test func multiplePatternsReportExactlyTheMatchingIDs() async throws {
        let inputs = Gen.int(in: 0...9999).array(of: 0...25).array(of: 2...5)
        await propertyCheck(count: 300 * soak, input: inputs, Gen.uint64()) { lists, seed in
            let nodes = lists.map { values -> TNode in
                var chooser = Chooser(values)
                return genPattern(&chooser)
            }
            // Distinct, unordered ids.
            let ids = nodes.indices.map { ($0 * 37 + Int(seed % 11)) % 101 }
            let patterns = zip(ids, nodes).map { (id: $0, pattern: $1.posix) }
            let regexes = nodes.map { try? Regex($0.swift) }
            guard regexes.allSatisfy({ $0 != nil }) else {
                Issue.record("Swift rejects one of \(nodes.map(\.swift))")
                return
            }
            guard let dfa = try? DFACompiler.compile(patterns, stateLimit: Self.stateLimit * 4) else {
                return
            }
            var rng = SplitMix(seed: seed)
            var strings: [String] = []
            for node in nodes { strings += testInputs(for: node, seed: rng.next()).prefix(12) }
            // Per pattern, the inputs Swift answered (see swiftSearch).
            let answers = regexes.map { regex in
                Dictionary(swiftSearch(regex!, strings).map { ($0.input, $0.matched) }, uniquingKeysWith: { a, _ in a })
            }
            for input in strings where answers.allSatisfy({ $0[input] != nil }) {
                let expected = zip(ids, answers).filter { $1[input]! }.map(\.0).sorted()
                let actual = dfa.matches(Array(input.utf8))
                if actual != expected {
                    Issue.record("patterns \(patterns.map { "#\($0.id) \($0.pattern)" }) on \"\(input)\": ours \(actual), Swift \(expected)")
                    break
                }
            }
            // Canonical form: the pattern order does not matter, and the result is minimal.
            let reversed = try? DFACompiler.compile(patterns.reversed(), stateLimit: Self.stateLimit * 4)
            #expect(reversed == dfa, "order changes the DFA for \(patterns)")
            #expect(naiveMinimalStateCount(dfa) == dfa.stateCount, "not minimal: \(patterns)")
            #expect(checkInvariants(dfa) == [])
        }
    }

    @Test func compiledDFAsAreMinimal() async throws {
        await propertyCheck(count: 500 * soak, input: Self.choices) { values in
            var chooser = Chooser(values)
            let posix = genPattern(&chooser).posix
            guard let dfa = try? DFACompiler.compile([(id: 0, pattern: posix)], stateLimit: Self.stateLimit) else {
                return
            }
            #expect(naiveMinimalStateCount(dfa) == dfa.stateCount, "\(posix)")
            #expect((try? DFACompiler.compile([(id: 0, pattern: posix)], stateLimit: Self.stateLimit)) == dfa)
        }
    }
}

/// A counter the property closures can bump.
final class Counter: @unchecked Sendable {
    private var count = 0
    var value: Int { count }
    func increment(by n: Int = 1) { count += n }
}

/// The differential tests' guard against Swift's backtracking (swiftSearch):
/// a search is not waited for past its limit.
@Suite struct SwiftSearchTests {
    @Test func aCatastrophicSearchIsNotWaitedFor() throws {
        let regex = try Regex("^(a|aa|aaa)*c$")
        let clock = ContinuousClock()
        let t0 = clock.now
        #expect(SwiftSearch.matches(regex, String(repeating: "a", count: 64), within: .milliseconds(300)) == nil)
        #expect(clock.now - t0 < .seconds(5))
        #expect(SwiftSearch.matches(regex, "aac", within: .seconds(5)) == true)
        #expect(SwiftSearch.matches(regex, "ab", within: .seconds(5)) == false)
    }
}
