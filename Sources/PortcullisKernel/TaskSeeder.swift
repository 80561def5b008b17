import CBPF
import CPortcullisABI
import Glibc

/// Gives every running process a subject record (struct pc_task) for the
/// seeding iterator to compute from, and runs that iterator.
///
/// The kernel writes a process's record when it execs or forks; a process
/// older than the programs (or than the first image that needed records) has
/// none. The iterator names those processes (`runIterator`), and
/// `createRecords` writes one for each, from /proc/PID/exe and
/// /proc/PID/cmdline, keyed by a pidfd and with BPF_NOEXIST, so a record the
/// kernel wrote meanwhile wins. Only thread-group leaders have pidfds; the
/// iterator gives the other threads their leader's texts. So a reload costs
/// system calls per process lacking a record, not per process on the host.
enum TaskSeeder {
    /// Runs the iterator, creates the records of the processes it names, and
    /// runs it again when there were any (their views). Returns how many were created.
    @discardableResult
    static func seed(linkPath: String, tasksFD: Int32, shownElsewhere: (String) -> Bool) throws(BPFError) -> Int {
        let missing = try runIterator(linkPath: linkPath)
        guard !missing.isEmpty else { return 0 }
        let created = createRecords(for: missing, tasksFD: tasksFD, shownElsewhere: shownElsewhere)
        try runIterator(linkPath: linkPath)
        return created
    }

    /// Creates the records of processes `pids`; returns how many were created.
    /// `shownElsewhere` tells an executable the host also shows at other paths
    /// (HostMountTable).
    @discardableResult
    static func createRecords(for pids: [Int32], tasksFD: Int32, shownElsewhere: (String) -> Bool = { _ in false }) -> Int {
        var created = 0
        for pid in pids where pid > 0 {
            guard let exe = readlink("/proc/\(pid)/exe") else { continue }  // a kernel thread, or gone
            var record = record(
                exe: exe, arguments: arguments(readFile("/proc/\(pid)/cmdline")),
                aliased: shownElsewhere(String(decoding: exe, as: UTF8.self)))
            let pidfd = portcullis_pidfd_open(pid)
            guard pidfd >= 0 else { continue }
            var key = pidfd
            if bpf_map_update_elem(tasksFD, &key, &record, UInt64(BPF_NOEXIST)) == 0 { created += 1 }
            close(pidfd)
        }
        return created
    }

    /// Runs the iterator pinned at `linkPath` over every task; returns the
    /// processes it found with no record (each once, in the order found).
    @discardableResult
    static func runIterator(linkPath: String) throws(BPFError) -> [Int32] {
        let link = bpf_obj_get(linkPath)
        guard link >= 0 else { throw BPFError("opening the seeding iterator \(linkPath)") }
        defer { close(link) }
        let iterator = bpf_iter_create(link)
        guard iterator >= 0 else { throw BPFError("starting the seeding iterator", code: -iterator) }
        defer { close(iterator) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(iterator, &buffer, buffer.count)
            if n == 0 { return processIDs(output) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw BPFError("running the seeding iterator") }
            output += buffer[..<n]
        }
    }

    /// The process ids in the iterator's output: four bytes each, in the
    /// host's order; each once, in the order found (a process's threads all
    /// name it).
    static func processIDs(_ output: [UInt8]) -> [Int32] {
        var seen: Set<Int32> = []
        var pids: [Int32] = []
        var at = 0
        while at + 4 <= output.count {
            let pid = output[at..<at + 4].withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
            if seen.insert(pid).inserted { pids.append(pid) }
            at += 4
        }
        return pids
    }

    /// A struct pc_task with no views, holding these texts (nil: unknown); `aliased`:
    /// the executable is at other host paths too, which conditions may name
    /// (PC_TEXT_ALIASED, as the exec hook marks it).
    static func record(exe: [UInt8], arguments: [UInt8]?, aliased: Bool = false) -> [UInt8] {
        var record = [UInt8](repeating: 0, count: MemoryLayout<pc_task>.size)
        write(text: exe, known: true, aliased: aliased, at: MemoryLayout<pc_task>.offset(of: \pc_task.exe)!, into: &record)
        write(text: arguments ?? [], known: arguments != nil, at: MemoryLayout<pc_task>.offset(of: \pc_task.args)!,
              into: &record)
        return record
    }

    /// argv[1..] as the kernel keeps them (NUL separated, without the final NUL);
    /// nil when the command line cannot be read or argv[0] is too long to skip.
    static func arguments(_ cmdline: [UInt8]?) -> [UInt8]? {
        guard let cmdline, !cmdline.isEmpty else { return nil }
        guard let end = cmdline.firstIndex(of: 0), end < Int(PC_ARGV0_MAX) else { return nil }
        var rest = Array(cmdline[(end + 1)...])
        if rest.last == 0 { rest.removeLast() }
        return rest
    }

    /// Writes a struct pc_task_text at `offset`.
    static func write(text: [UInt8], known: Bool, aliased: Bool = false, at offset: Int, into record: inout [UInt8]) {
        let max = Int(PC_TASK_TEXT_MAX)
        let kept = min(text.count, max)
        var flags: UInt32 = known ? UInt32(PC_TEXT_KNOWN) : 0
        if known && text.count > max { flags |= UInt32(PC_TEXT_CUT) }
        if known && aliased { flags |= UInt32(PC_TEXT_ALIASED) }
        let length = known ? UInt32(kept) : 0
        let lengthAt = offset + MemoryLayout<pc_task_text>.offset(of: \pc_task_text.length)!
        let flagsAt = offset + MemoryLayout<pc_task_text>.offset(of: \pc_task_text.flags)!
        let dataAt = offset + MemoryLayout<pc_task_text>.offset(of: \pc_task_text.data)!
        record.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: length, toByteOffset: lengthAt, as: UInt32.self)
            raw.storeBytes(of: flags, toByteOffset: flagsAt, as: UInt32.self)
        }
        if known { record.replaceSubrange(dataAt..<dataAt + kept, with: text[0..<kept]) }
    }

    static func readlink(_ path: String) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = Glibc.readlink(path, &buffer, buffer.count - 1)
        return n > 0 ? Array(buffer[0..<n]) : nil
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += chunk[0..<n]
            if bytes.count > Int(PC_PATH_MAX) { break }
        }
        return bytes
    }
}
