import Glibc
import PortcullisCompiler

/// The subject epochs the loader gives the images it installs
/// (PC_HDR_SUBJECT_EPOCH): the tasks' views are stamped with them.
///
/// An image whose subjects have the same conditions (SubjectViews) as the one in
/// force, installed by this process, gets its epoch: the views hold across the
/// swap, and no task needs new ones. Any other gets a new epoch, of the other
/// parity than the one in force (views[epoch & 1]: the views of the image in
/// force are not overwritten while the new ones are computed). An epoch is never
/// given twice by one process, even when its install failed (views computed for
/// it may remain), and its high half is a number made from the clock and the
/// process id when the process starts, so one another process gave, whose
/// installs are unknown here, does not come back either. Never 0, which stamps
/// no view.
public struct SubjectEpochs: Sendable {
    /// The image in force, as this process installed it (nil: another did, or none).
    private(set) var inForce: (views: SubjectViews, epoch: UInt64)?
    /// The epoch of the image in force (0: none).
    public private(set) var active: UInt64
    private var counter: UInt32
    private let salt: UInt32

    /// `active`: the epoch of the image in force when the process starts (0: none).
    /// `salt`, the high half, by default from the clock and the process id: it
    /// only has to differ between starts, and reading the kernel's random pool
    /// could wait for its seeding this early in boot.
    public init(active: UInt64, salt: UInt32 = Self.startSalt()) {
        self.active = active
        self.salt = salt
        counter = UInt32(truncatingIfNeeded: active)
    }

    /// A number for the high half that differs between starts (never 0).
    public static func startSalt() -> UInt32 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let mixed = UInt64(bitPattern: Int64(now.tv_sec)) &* 1_000_000_007 &+ UInt64(now.tv_nsec) &+ UInt64(getpid()) << 40
        let folded = UInt32(truncatingIfNeeded: mixed ^ (mixed >> 32))
        return folded == 0 ? 1 : folded
    }

    /// The epoch for an image with `views` (nil: unknown), and whether it is the
    /// active one's (the views in force hold for it).
    public mutating func epoch(for views: SubjectViews?) -> (epoch: UInt64, same: Bool) {
        if let views, let inForce, inForce.views == views, inForce.epoch == active, active != 0 {
            return (active, true)
        }
        repeat {
            counter &+= 1
        } while counter == 0 || counter & 1 == UInt32(truncatingIfNeeded: active) & 1
        return (UInt64(salt) << 32 | UInt64(counter), false)
    }

    /// The image of `epoch` with `views` is in force.
    public mutating func installed(_ epoch: UInt64, views: SubjectViews?) {
        active = epoch
        inForce = views.map { ($0, epoch) }
    }
}

/// What an install did about the tasks' subjects (their views of the new image).
public enum TaskViews: String, Sendable {
    /// Its subjects' conditions differ from the image before it: computed for every task before the swap.
    case computed
    /// The same conditions: the views in force hold for it; swapped in at once.
    case kept
    /// It has no subject conditions: no task needs a view.
    case none
}
