import CLinux
import Glibc

/// The C heap (glibc's malloc), as the daemon needs it.
public enum Heap {
    /// Returns the free memory of every malloc arena to the kernel (`malloc_trim(0)`).
    /// A compile allocates tens of megabytes, and glibc keeps what it frees for
    /// later unless asked to give it back. Returns whether any memory was returned.
    @discardableResult
    public static func returnFreeMemory() -> Bool {
        malloc_trim(0) == 1
    }

    /// Makes every thread that has no arena yet allocate from the main one
    /// (`mallopt(M_ARENA_MAX, 1)`); call before other threads start. glibc
    /// otherwise gives each new thread an arena of its own (up to eight per
    /// processor), and keeps it: the daemon's queue runs on whichever worker thread libdispatch
    /// picks, so what a generation keeps ended up spread over several arenas,
    /// each with its own partly used pages that no trim gives back (10,000 rules,
    /// host: 20–31 MB anonymous for 13–15 MB in use with five arenas, 17 MB with one).
    @discardableResult
    public static func useOneArena() -> Bool {
        mallopt(M_ARENA_MAX, 1) == 1
    }

    /// The bytes malloc has handed out and not had back (`mallinfo2`: small and
    /// mapped blocks in use), whatever the resident set says: what the process
    /// holds, without the allocator's free space and fragmentation.
    public static var bytesInUse: Int {
        let info = mallinfo2()
        return Int(info.uordblks + info.hblkhd)
    }

    /// How many arenas malloc has made so far (`malloc_info`: one `<heap>` each).
    public static var arenaCount: Int {
        var buffer: UnsafeMutablePointer<CChar>?
        var size = 0
        guard let stream = open_memstream(&buffer, &size) else { return 0 }
        malloc_info(0, stream)
        fclose(stream)
        defer { free(buffer) }
        guard let buffer else { return 0 }
        return String(cString: buffer).split(separator: "<heap nr=", omittingEmptySubsequences: false).count - 1
    }
}
