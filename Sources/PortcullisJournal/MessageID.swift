/// Which kind of entry an entry is: a stable 128-bit id, written as journald's
/// MESSAGE_ID field writes it (32 lower-case hex digits), so that
/// `journalctl MESSAGE_ID=…` finds every entry of a kind. docs/journal.md
/// lists them; never change one, only add new ones.
public enum MessageID: String, Sendable, CaseIterable {
    /// A new generation is in the kernel.
    case generationApplied = "f273430deef940a482bfa359fa7141d8"
    /// A generation could not be made or installed; the kernel keeps the one it has.
    case generationFailed = "0faa8aa3caa44b478817f6329b510227"
    /// An error in a policy file (file, line, column).
    case policyFileError = "9722b40434e5468f9c3c36f90bfe71a9"
    /// A warning about a policy file (file, line, column).
    case policyFileWarning = "acf5de66b3ad4bc0a25a97ff3a8fe2f0"
    /// A broken file's last good version stays in force.
    case lastGoodKept = "38cc940c55c5406488d9497cce06e10c"
    /// A broken file with no good version: not enforced at all.
    case fileRefused = "a2659c4dedca4d0f9bcd765a59a1e6c7"
    /// The daemon attached its programs.
    case daemonStarted = "d3926b29883d42d78ee3acc6910aecad"
    /// The daemon is exiting on a signal.
    case daemonStopping = "54039fb8ab9849a098b47aa4b0684958"
    /// The kernel denied an operation.
    case decisionDeny = "02fe78495fa04bdabcc0ea9ff1ba1e43"
    /// An audit rule (or a deny rule of an audit-mode policy) matched; the operation went on.
    case decisionAudit = "974fb174bc0f4ecca94f69099c280245"
    /// Decision events were dropped by the rate limit.
    case eventsDropped = "12c4af77cb0841879d5027b99b5642af"
    /// A pin left by a portcullis of another ABI version was removed.
    case otherABIRemoved = "9168dc5b452f4403be8073fa8dd65b08"
    /// The inotify queue overflowed: events were lost, the directory is read whole again.
    case watchOverflowed = "d35878f7f3b84e6aa0346f6b8e48c24e"
    /// The runtime directory (state file, decision feed) cannot be used; enforcement goes on.
    case runtimeUnavailable = "4f9c109f9689429295d2df495553b994"
    /// The cache directory (content digests kept across restarts) cannot be used; enforcement goes on.
    case cacheUnavailable = "0e29883e68ef446a8b406ddec3de857e"
    /// Fault injection (`run --test-hold`, tests only): the daemon stops at a step until killed.
    case testHold = "9a578578128d4816a2f7f86ea0cb5ef5"
    /// The host's mount table could not be given to the kernel: paths under mounts it lacks read as no path.
    case hostMountsFailed = "f75196e125cb49eb9f57a15fe33e2c62"
    /// Tamper protection refused an attempt on portcullis itself (its maps, pins, bpffs, daemon).
    case tamperRefused = "78371550e7ab42389d59a651232048ba"
    /// A process took the vacant guardian post: a daemon starting (or anything else that asked first).
    case guardianClaimed = "8c8118d17faf43708e00f1458cda52cb"
    /// The daemon found its pins or its generation changed by someone else, and restored them.
    case tamperRepaired = "53a938e779d7479cb842425e6bde5117"
    /// Locked: a new generation would have weakened enforcement and was refused.
    case weakeningRefused = "5c77b59ec5784a4894014a1a34453490"
    /// The daemon's configuration file could not be used; it goes on with its command line.
    case settingsIgnored = "b990517c48ca47c290d1c48847f0b987"
    /// `portcullis disarm` removed enforcement, or was refused.
    case disarmed = "a33b5f6a00884e67a2be70551ebec1d2"
    /// Locked mode is in force until reboot.
    case locked = "04d162a2e2584460832c04446dac5e5d"
}
