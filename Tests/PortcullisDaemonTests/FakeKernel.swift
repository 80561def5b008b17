import Dispatch
import PortcullisCompiler
@testable import PortcullisKernel

/// The kernel side for host tests of the daemon: keeps the images the daemon
/// installs, in order, and answers for the one in force with the reference
/// evaluator (the one the differential test holds the kernel to). An install
/// can be made to fail, as a kernel that refuses a map would.
final class FakeKernel: KernelEnforcement, @unchecked Sendable {
    let start = Enforcer.Start.attached
    let verifierCosts: [VerifierCost] = []
    /// Every image installed, in order.
    private(set) var installed: [PolicyImage] = []
    /// The next install fails with this error, leaving the image in force.
    var failNextInstall: BPFError?

    /// The image in force.
    var inForce: PolicyImage? { installed.last }

    /// How an exec of `path` by an unconditioned caller is decided now.
    func exec(_ path: String) -> ImageEvaluator.Decision {
        guard let inForce else { return .allow }
        return ImageEvaluator(inForce).exec(path: Array(path.utf8))
    }

    /// Whether that exec is denied now.
    func denies(_ path: String) -> Bool {
        if case .deny = exec(path) { return true }
        return false
    }

    func installedGeneration() -> UInt64? { inForce?.generation }
    func programIDs() throws(BPFError) -> [String: UInt32] {
        Dictionary(uniqueKeysWithValues: Enforcer.programs.enumerated().map { ($1, UInt32($0 + 1)) })
    }
    func install(_ image: PolicyImage, beforeFill: () -> Void, beforeSwap: () -> Void) throws(BPFError) {
        beforeFill()
        if let failure = failNextInstall {
            failNextInstall = nil
            throw failure
        }
        beforeSwap()
        installed.append(image)
    }
    func removeOtherABIs() -> [String] { [] }
    func lock() throws(BPFError) {}
    private(set) var shutdownSignalsAllowed = false
    func allowShutdownSignals() throws(BPFError) { shutdownSignalsAllowed = true }
    func repair() -> [String] { [] }
    func repairGeneration() -> [String] { [] }
    func statistics() throws(BPFError) -> EventStatistics { EventStatistics() }
    func refreshHostMounts() throws(BPFError) -> Bool { false }
    func deliverEvents(on queue: DispatchQueue, to handler: @escaping (DecisionEvent) -> Void) throws(BPFError)
        -> AnyObject
    {
        queue
    }
}
