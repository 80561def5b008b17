import Dispatch
import PortcullisCompiler

/// The kernel side as the daemon drives it: the programs attached and pinned,
/// the image in force, the decision events, tamper repair. `Enforcer` is the
/// real one; host tests give the daemon a fake that keeps the images it is
/// given (and evaluates them with the reference evaluator), so the daemon's
/// reload logic is tested without a kernel.
public protocol KernelEnforcement: AnyObject {
    /// How the programs came to be attached when this started.
    var start: Enforcer.Start { get }
    /// What verifying the programs cost, when they were loaded by this start.
    var verifierCosts: [VerifierCost] { get }
    /// The generation of the image in force, if any.
    func installedGeneration() -> UInt64?
    /// The attached programs' ids, by name.
    func programIDs() throws(BPFError) -> [String: UInt32]
    /// Puts `image` in force as a whole, or leaves the one in force and throws;
    /// `subjectViews`: what the tasks' views of it depend on (nil: unknown).
    /// Returns what it did about the tasks' views.
    @discardableResult
    func install(
        _ image: PolicyImage, subjectViews: SubjectViews?, beforeFill: () -> Void, beforeSwap: () -> Void
    ) throws(BPFError) -> TaskViews
    /// Removes what other ABIs of portcullis pinned; returns the pins removed.
    func removeOtherABIs() -> [String]
    /// Seals enforcement until reboot (tamper protection's locked mode).
    func lock() throws(BPFError)
    /// Locked, at shutdown: lets PID 1 signal the daemon as it will while it stops.
    func allowShutdownSignals() throws(BPFError)
    /// Puts back removed or replaced pins and the image in force; returns what it found.
    func repair() -> [String]
    /// Puts back the image in force if the slot holds another; returns what it found.
    func repairGeneration() -> [String]
    /// The kernel's event counters.
    func statistics() throws(BPFError) -> EventStatistics
    /// Writes the host's mount table to the kernel when it changed; returns whether it did.
    @discardableResult func refreshHostMounts() throws(BPFError) -> Bool
    /// Starts delivering decision events to `handler` on `queue`; keep the result alive.
    func deliverEvents(on queue: DispatchQueue, to handler: @escaping (DecisionEvent) -> Void) throws(BPFError)
        -> AnyObject
}

extension Enforcer: KernelEnforcement {
    public func deliverEvents(on queue: DispatchQueue, to handler: @escaping (DecisionEvent) -> Void)
        throws(BPFError) -> AnyObject
    {
        try readEvents(on: queue, handler: handler)
    }
}
