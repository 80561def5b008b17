import PortcullisSelftest
import Testing

@testable import PortcullisCompiler

@Suite struct FlipPlanTests {
    static let plan = try! FlipPlan(root: "/x", pairs: 3)

    static func reported(_ image: PolicyImage, _ path: String) -> ImageEvaluator.Decision? {
        ImageEvaluator(image).exec(path: Array(path.utf8)).reported
    }

    @Test func setsDecideAlikeButNameDifferentRules() {
        let (a, b) = (Self.plan.sets[0].image, Self.plan.sets[1].image)
        for (i, path) in Self.plan.denied.enumerated() {
            #expect(Self.reported(a, path) == .deny(rules: [2 * i]))
            #expect(Self.reported(b, path) == .deny(rules: [2 * i + 1]))
        }
        for (i, path) in Self.plan.audited.enumerated() {
            #expect(Self.reported(a, path) == .audit(rules: [2 * i + 1]))
            #expect(Self.reported(b, path) == .audit(rules: [2 * i]))
        }
    }

    /// One generation's DFA read with the other's rule table: /x/a0 is audited (and
    /// would run), and the check flags the report under either generation.
    @Test(arguments: [(0, 1), (1, 0)]) func aMixOfTheTwoSetsIsDetected(dfaSet: Int, rulesSet: Int) {
        let dfa = Self.plan.sets[dfaSet].image
        let rules = Self.plan.sets[rulesSet].image
        let table = Int(rules[ABI.Header.rules])
        #expect(Int(dfa[ABI.Header.rules]) == table, "same layout: the mix is a plain splice")
        var words = dfa.words
        let end = table + Int(rules[ABI.Header.ruleCount]) * ABI.Rule.words
        words[table..<end] = rules.words[table..<end]
        let mixed = PolicyImage(words: words)

        let decision = Self.reported(mixed, "/x/a0")
        #expect(decision?.isDeny == false, "the mix would let /x/a0 run")
        let report = Report(target: .exec(path: "/x/a0"), decision: decision!)
        for generation: UInt64 in [1, 2] {
            #expect(Self.plan.mismatch(report, generation: generation) != nil)
        }
        #expect(Self.plan.outcomeMismatch(path: "/x/a0", ran: true) != nil)
    }

    @Test func theRightReportsPass() {
        for generation: UInt64 in [1, 2, 3, 4] {
            let image = Self.plan.image(generation: generation)
            #expect(image.generation == generation)
            for path in Self.plan.paths {
                let report = Report(target: .exec(path: path), decision: Self.reported(image, path)!)
                #expect(Self.plan.mismatch(report, generation: generation) == nil)
            }
        }
        #expect(Self.plan.outcomeMismatch(path: "/x/a1", ran: false) == nil)
        #expect(Self.plan.outcomeMismatch(path: "/x/b1", ran: true) == nil)
        #expect(Self.plan.outcomeMismatch(path: "/x/b1", ran: false) != nil)
    }

    @Test func otherReportsFail() {
        let wrongGeneration = Report(target: .exec(path: "/x/a0"), decision: .deny(rules: [0]))
        #expect(Self.plan.mismatch(wrongGeneration, generation: 2) != nil)
        let stranger = Report(target: .exec(path: "/x/c"), decision: .deny(rules: [0]))
        #expect(Self.plan.mismatch(stranger, generation: 1) != nil)
        let capability = Report(target: .capability(12), decision: .deny(rules: [0]))
        #expect(Self.plan.mismatch(capability, generation: 1) != nil)
    }
}

@Suite struct InstallLogTests {
    @Test func decisionsMustFallWhileTheirGenerationCouldBeSeen() {
        var log = InstallLog()
        log.record(generation: 1, started: 100, returned: 200)
        log.record(generation: 2, started: 300, returned: 400)
        log.record(generation: 3, started: 500, returned: 600)
        #expect(log.mismatch(generation: 1, time: 150) == nil)
        #expect(log.mismatch(generation: 1, time: 399) == nil)  // g2's swap may not have happened yet
        #expect(log.mismatch(generation: 1, time: 401) != nil)  // after g2's install returned
        #expect(log.mismatch(generation: 2, time: 250) != nil)  // before g2's install began
        #expect(log.mismatch(generation: 3, time: 10_000) == nil)  // the last one stays in force
        #expect(log.mismatch(generation: 4, time: 700) != nil)
        #expect(log.mismatch(generation: 0, time: 150) != nil)
    }
}
