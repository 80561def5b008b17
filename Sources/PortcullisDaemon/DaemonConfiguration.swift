import Dispatch
import PortcullisGeneration
import PortcullisKernel

/// How `portcullis run` is set up.
public struct DaemonConfiguration: Sendable {
    public var directory: PolicyDirectory
    public var pins: Pins
    /// Where the state file and the decision feed go; nil: nowhere.
    public var runtime: RuntimeDirectory?
    /// Where what outlives a restart but can be read again goes (the content
    /// digests of the files literal rules name); nil: nowhere.
    public var cache: ContentDigestStore?
    /// How long the directory must be quiet before it is compiled.
    public var debounce: DispatchTimeInterval
    /// Tests only: stop at this step of every generation after the first, until killed.
    public var hold: TestHold?
    /// Lock enforcement until reboot once the first generation is in force
    /// (tamper protection, docs/enforcement.md).
    public var lock: Bool
    /// PID 1's `SystemState`, or nil when it cannot be asked (SystemManager; host tests fake it).
    public var systemState: @Sendable () -> String? = SystemManager.state

    public init(
        directory: PolicyDirectory, pins: Pins = Pins(), runtime: RuntimeDirectory? = RuntimeDirectory(),
        cache: ContentDigestStore? = nil, debounce: DispatchTimeInterval = DirectoryWatcher.defaultDebounce, hold: TestHold? = nil, lock: Bool = false
    ) {
        self.directory = directory
        self.pins = pins
        self.runtime = runtime
        self.cache = cache
        self.debounce = debounce
        self.hold = hold
        self.lock = lock
    }
}

/// Fault injection for the VM tests: where `--test-hold` stops the daemon, so
/// a test can SIGKILL it there and prove the kernel keeps the old generation.
public enum TestHold: String, Sendable, CaseIterable {
    /// After reading the directory, before compiling it.
    case compile
    /// With the new generation's map created, before it is filled.
    case fill
    /// After filling and freezing the new generation's map, before swapping it in.
    case swap
}
