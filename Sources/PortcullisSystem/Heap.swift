import CLinux

/// The C heap (glibc's malloc), as the daemon needs it.
public enum Heap {
    /// Returns the free memory of every malloc arena to the kernel (`malloc_trim(0)`).
    /// A compile allocates tens of megabytes on several threads, and so in several
    /// arenas; glibc keeps what they free for later unless asked to give it back.
    /// Returns whether any memory was returned.
    @discardableResult
    public static func returnFreeMemory() -> Bool {
        malloc_trim(0) == 1
    }

    /// The bytes malloc has handed out and not had back (`mallinfo2`: small and
    /// mapped blocks in use), whatever the resident set says: what the process
    /// holds, without the allocator's free space and fragmentation.
    public static var bytesInUse: Int {
        let info = mallinfo2()
        return Int(info.uordblks + info.hblkhd)
    }
}
