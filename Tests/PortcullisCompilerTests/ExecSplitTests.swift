@testable import PortcullisCompiler
import PortcullisPolicy
import Testing

/// Exec patterns whose one product would pass the state cap are split into
/// several DFAs; the image then decides as the one DFA would.
@Suite struct ExecSplitTests {
    static let at = SourceLocation(file: "a.yaml", line: 1, column: 1)

    static func policy(_ name: String, _ rules: [(PathPattern, Subject, Action, String?)]) -> Policy {
        Policy(
            name: name, source: SourceLocation(file: "\(name).yaml", line: 1, column: 1), mode: .enforce,
            rules: rules.enumerated().map { k, r in
                Rule(
                    operation: .exec(paths: [r.0], args: r.3), subject: r.1, action: r.2,
                    source: SourceLocation(file: "\(name).yaml", line: k + 2, column: 1))
            })
    }

    /// "x, then exactly n bytes, at the end": about 2^(n+1) states alone, 3^(n+1) with another letter's.
    static func window(_ letter: String, _ n: Int = 5) -> PathPattern { .regex("\(letter).{\(n)}$") }

    static let admin = Subject(executables: [.exact("/usr/bin/sudo")])

    /// Two policies with deny, audit and allow rules (with and without conditions) whose
    /// windows do not fit together in 300 states.
    static let policies = [
        policy("first", [
            (window("x"), .everyone, .deny, nil),
            (.prefix("/usr/"), .everyone, .audit, nil),
            (.exact("/usr/bin/yes12"), .everyone, .allow, nil),
            (window("y"), admin, .deny, nil),
            (.regex("^/opt/[a-z]+x"), .everyone, .allow, nil),
        ]),
        policy("second", [
            (window("z"), .everyone, .deny, nil),
            (.prefix("/opt/"), .everyone, .audit, nil),
            (window("w"), .everyone, .deny, "^-x"),
            (.regex("^/opt/z"), admin, .allow, nil),
        ]),
    ]

    static func normalized(_ d: ImageEvaluator.Decision) -> ImageEvaluator.Decision {
        switch d {
        case .deny(let rules): return .deny(rules: rules.sorted())
        case .audit(let rules): return .audit(rules: rules.sorted())
        default: return d
        }
    }

    static func randomPath(_ state: inout UInt64) -> [UInt8] {
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let heads = ["/usr/bin/", "/opt/", "/opt/z", "/opt/ab", "/", "/usr/bin/yes12", "/home/"]
        let letters = Array("xyzw/abyes12".utf8)
        var path = Array(heads[Int(next() % UInt64(heads.count))].utf8)
        for _ in 0..<Int(next() % 10) { path.append(letters[Int(next() % UInt64(letters.count))]) }
        return path
    }

    @Test func aSplitImageDecidesAsTheOneDFA() throws {
        let split = try PolicyCompiler.compile(Self.policies, generation: 1, stateLimit: 300)
        let one = try PolicyCompiler.compile(Self.policies, generation: 1, stateLimit: 1_000_000)
        #expect(one.execAutomata == 1)
        #expect(split.execAutomata >= 3)
        let s = ImageEvaluator(split.image)
        let o = ImageEvaluator(one.image)
        #expect(s.execDFAs.count == split.execAutomata)
        var state: UInt64 = 42
        let callers = [ImageEvaluator.Task(executable: "/usr/bin/sudo", arguments: []), .unrecorded, ImageEvaluator.Task(executable: "/bin/sh", arguments: [])]
        for k in 0..<3_000 {
            let path = Self.randomPath(&state)
            let caller = callers[k % callers.count]
            let arguments = k % 2 == 0 ? ["-x"] : ["y"]
            let name = String(decoding: path, as: UTF8.self)
            #expect(
                Self.normalized(s.exec(path: path, caller: caller, arguments: arguments))
                    == Self.normalized(o.exec(path: path, caller: caller, arguments: arguments)), "\(name)")
            #expect(
                Self.normalized(s.executableMapping(path: path, by: caller))
                    == Self.normalized(o.executableMapping(path: path, by: caller)), "\(name)")
        }
        // Rules in more than one DFA are decided from all of them: a deny in a later DFA.
        #expect(s.exec(path: Array("/home/az12345".utf8)) == .deny(rules: [5]))
        #expect(s.exec(path: Array("/usr/bin/x12345".utf8)) == .deny(rules: [0]))
        #expect(s.exec(path: Array("/usr/bin/yes12".utf8)) == .allow)
        #expect(s.exec(path: Array("/usr/bin/true".utf8)) == .audit(rules: [1]))
    }

    @Test func aSetThatFitsGivesTheSameImageAsBefore() throws {
        let one = try PolicyCompiler.compile([Self.policies[0]], generation: 1)
        #expect(one.execAutomata == 1)
        let image = one.image.words
        #expect(image[ABI.Header.execDFAMore ..< ABI.Header.execDFAMore + ABI.execDFAMax - 1].allSatisfy { $0 == 0 })
        #expect(ImageEvaluator(one.image).execDFAs.count == 1)
    }

    @Test func aPatternOverTheCapOnItsOwnNamesItsRule() throws {
        let big = Self.policy("big", [(.exact("/a"), .everyone, .deny, nil), (Self.window("q", 10), .everyone, .deny, nil)])
        #expect(throws: CompileError.self) { try PolicyCompiler.compile([big], generation: 1, stateLimit: 300) }
        do {
            _ = try PolicyCompiler.compile([Self.policies[0], big], generation: 1, stateLimit: 300)
        } catch {
            #expect(error.rule.source.file == "big.yaml")
            #expect(error.rule.source.line == 3)
            #expect(error.message.contains("on its own"))
        }
    }

    @Test func tooManyAutomataNameTheFirstRuleLeftOver() throws {
        let letters = ["a", "b", "c", "d", "e"]
        let wide = Self.policy("wide", letters.map { (Self.window($0), .everyone, .deny, nil) })
        do {
            _ = try PolicyCompiler.compile([wide], generation: 1, stateLimit: 100)
            Issue.record("expected a CompileError")
        } catch {
            #expect(error.rule.source.line == 6)  // the fifth rule: four DFAs hold the others
            #expect(error.message.contains("more than \(ABI.execDFAMax) automata"))
        }
    }
}
