import Dispatch
import Glibc
import PortcullisCompiler
import PortcullisKernel

/// The kernel side for host runs of the daemon: keeps the images the daemon
/// installs, in order, and answers for the one in force with the reference
/// evaluator (the one the differential test holds the kernel to). An install
/// can be made to fail, as a kernel that refuses a map would. Host tests use
/// it; so does `portcullis-bench daemon`, keeping no image (the real kernel
/// side keeps only the map's descriptor).
public final class FakeKernel: KernelEnforcement, @unchecked Sendable {
    public let start = Enforcer.Start.attached
    public let verifierCosts: [VerifierCost] = []
    /// Every image installed, in order (none when made not to keep them).
    public private(set) var installed: [PolicyImage] = []
    private let keepsImages: Bool
    private var generation: UInt64?
    /// The next install fails with this error, leaving the image in force.
    public var failNextInstall: BPFError?
    /// How long an install takes before its swap (filling the map, computing the tasks' views).
    public var installTime: Duration = .zero

    public init(keepsImages: Bool = true) { self.keepsImages = keepsImages }

    /// The image in force.
    public var inForce: PolicyImage? { installed.last }

    /// How an exec of `path` by an unconditioned caller is decided now.
    public func exec(_ path: String) -> ImageEvaluator.Decision {
        guard let inForce else { return .allow }
        return ImageEvaluator(inForce).exec(path: Array(path.utf8))
    }

    /// Whether that exec is denied now.
    public func denies(_ path: String) -> Bool {
        if case .deny = exec(path) { return true }
        return false
    }

    public func installedGeneration() -> UInt64? { generation }
    public func programIDs() throws(BPFError) -> [String: UInt32] {
        Dictionary(uniqueKeysWithValues: Enforcer.programs.enumerated().map { ($1, UInt32($0 + 1)) })
    }
    /// What the daemon said each installed image's views depend on, in order.
    public private(set) var installedViews: [SubjectViews?] = []
    /// The subject epochs, as the Enforcer gives them (the epoch in force: `epochs.active`).
    public private(set) var epochs = SubjectEpochs(active: 0)
    public func install(
        _ image: PolicyImage, subjectViews: SubjectViews?, beforeFill: () -> Void, beforeSwap: () -> Void
    ) throws(BPFError) -> TaskViews {
        let (epoch, sameViews) = epochs.epoch(for: subjectViews)
        beforeFill()
        if let failure = failNextInstall {
            failNextInstall = nil
            throw failure
        }
        if installTime > .zero {
            let (seconds, attoseconds) = installTime.components
            usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
        }
        beforeSwap()
        generation = image.generation
        epochs.installed(epoch, views: subjectViews)
        if keepsImages {
            installed.append(image)
            installedViews.append(subjectViews)
        }
        return !image.hasSubjects ? .none : sameViews ? .kept : .computed
    }
    public func removeOtherABIs() -> [String] { [] }
    public func lock() throws(BPFError) {}
    public private(set) var shutdownSignalsAllowed = false
    public func allowShutdownSignals() throws(BPFError) { shutdownSignalsAllowed = true }
    public func repair() -> [String] { [] }
    public func repairGeneration() -> [String] { [] }
    public func statistics() throws(BPFError) -> EventStatistics { EventStatistics() }
    public func refreshHostMounts() throws(BPFError) -> Bool { false }
    public func deliverEvents(on queue: DispatchQueue, to handler: @escaping (DecisionEvent) -> Void)
        throws(BPFError) -> AnyObject
    {
        queue
    }
}
