@testable import PortcullisRegex

/// The pipeline as it was before literal chains and the simultaneous product:
/// every pattern through subset construction and minimization, then the
/// balanced tree of pairwise products, and the one-by-one search for the
/// culprit when a product passes the cap. The new pipeline must agree with it.
enum ReferencePipeline {
    enum Failure: Error, Equatable {
        /// A pattern needs more states than the cap on its own.
        case single(patternID: Int)
        /// The combined DFA passes the cap; the message names the culprit.
        case combined(DFACompileError)
    }

    static func compile(_ patterns: [(id: Int, pattern: String)], stateLimit: Int) throws(Failure) -> DFA {
        let parsed = patterns.map { (id: $0.id, pattern: $0.pattern, node: try! RegexPattern.parse($0.pattern)) }
        var sets: Set<ByteSet> = [.all]
        for p in parsed { p.node.collectByteSets(into: &sets) }
        let classes = ByteClasses(refining: sets)
        var singles: [DFA] = []
        for p in parsed {
            do {
                singles.append(
                    try SubsetConstruction.build(
                        NFA(searching: p.node), id: p.id, classes: classes, stateLimit: stateLimit
                    ).minimized())
            } catch {
                throw .single(patternID: p.id)
            }
        }
        do {
            return try DFACompiler.combinePairwise(singles, stateLimit: stateLimit)
                .mergingIdenticalClasses().renumbered()
        } catch {
            do {
                return try DFACompiler.combineIncrementally(
                    singles, parsed.map { (id: $0.id, pattern: $0.pattern) }, stateLimit: stateLimit)
                    .mergingIdenticalClasses().renumbered()
            } catch {
                throw .combined(error)
            }
        }
    }
}

/// The outcome of `DFACompiler.compile`, in the reference's terms.
func compileOutcome(_ patterns: [(id: Int, pattern: String)], stateLimit: Int) -> Result<DFA, ReferencePipeline.Failure> {
    do {
        return .success(try DFACompiler.compile(patterns, stateLimit: stateLimit))
    } catch let error as DFACompileError {
        return .failure(error.message.contains("on its own") ? .single(patternID: error.patternID) : .combined(error))
    } catch {
        fatalError("\(patterns): \(error)")
    }
}

/// The reference's outcome.
func referenceOutcome(_ patterns: [(id: Int, pattern: String)], stateLimit: Int) -> Result<DFA, ReferencePipeline.Failure> {
    Result { () throws(ReferencePipeline.Failure) in try ReferencePipeline.compile(patterns, stateLimit: stateLimit) }
}
