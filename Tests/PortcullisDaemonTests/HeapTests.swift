import Glibc
import PortcullisSystem
import Testing

/// The daemon's heap is one arena (`Heap.useOneArena`, called as `run` starts):
/// threads started after it allocate from the arenas there are, never from new
/// ones. Each test runs in a process of its own (an exit test): the setting is
/// for the process, and arenas are never removed.
@Suite struct HeapTests {
    /// Starts `count` threads, all alive at once, each allocating; waits for them.
    static func allocateOnNewThreads(_ count: Int) {
        var threads: [pthread_t] = []
        for _ in 0..<count {
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { _ in
                let block = malloc(4096)
                usleep(50_000)  // the others start while this one still has its arena
                free(block)
                return nil
            }, nil)
            precondition(started == 0)
            threads.append(thread)
        }
        for thread in threads { pthread_join(thread, nil) }
    }

    @Test func threadsStartedAfterOneArenaMakeNoArena() async {
        await #expect(processExitsWith: .success) {
            guard Heap.useOneArena() else { exit(2) }
            let before = Heap.arenaCount
            HeapTests.allocateOnNewThreads(4)
            exit(before >= 1 && Heap.arenaCount == before ? 0 : 1)
        }
    }

    /// The control: without it, new threads get arenas of their own (the count is read right).
    @Test func threadsStartedOtherwiseMakeArenas() async {
        await #expect(processExitsWith: .success) {
            let before = Heap.arenaCount
            HeapTests.allocateOnNewThreads(4)
            exit(Heap.arenaCount > before ? 0 : 1)
        }
    }
}
