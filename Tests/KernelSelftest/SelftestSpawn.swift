import CSelftestSpawn
import Glibc

/// A program started with posix_spawn: stdout to /dev/null, stderr too or into a pipe.
struct Spawned {
    let pid: pid_t
    private let stderrPipe: Int32?

    /// The exec failed: posix_spawn reports its errno (and has reaped the child).
    struct Refused: Error {
        let code: Int32
        var message: String { String(cString: strerror(code)) }
    }

    /// Starts `path` with argv `[argv0] + arguments` and the caller's environment; in
    /// the cgroup whose directory `cgroup` is open, if given (clone3 with
    /// CLONE_INTO_CGROUP: the child is there before its exec), chrooted into `root`
    /// first if given, or in a mount namespace of its own with `bind.source` bound on
    /// `bind.target` (with a cgroup only; `path` is then inside `root`, or `bind.target`).
    static func start(
        _ path: String, argv0: String, arguments: [String] = [], captureStderr: Bool = false, cgroup: Int32? = nil,
        root: String? = nil, bind: (source: String, target: String)? = nil
    ) -> Result<Spawned, Refused> {
        if let cgroup {
            return start(
                path, argv0: argv0, arguments: arguments, captureStderr: captureStderr, in: cgroup, root: root,
                bind: bind)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pipeFDs: [Int32] = [-1, -1]
        if captureStderr, pipe(&pipeFDs) == 0 {
            for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // dup2 clears it on the child's stderr
            posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv = ([argv0] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        if pipeFDs[1] >= 0 { close(pipeFDs[1]) }
        guard rc == 0 else {
            if pipeFDs[0] >= 0 { close(pipeFDs[0]) }
            return .failure(Refused(code: rc))
        }
        return .success(Spawned(pid: pid, stderrPipe: pipeFDs[0] >= 0 ? pipeFDs[0] : nil))
    }

    private static func start(
        _ path: String, argv0: String, arguments: [String], captureStderr: Bool, in cgroup: Int32, root: String?,
        bind: (source: String, target: String)?
    ) -> Result<Spawned, Refused> {
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        guard null >= 0 else { return .failure(Refused(code: errno)) }
        defer { close(null) }
        var pipeFDs: [Int32] = [-1, -1]
        if captureStderr, pipe(&pipeFDs) == 0 {
            for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // dup2 clears it on the child's stderr
        } else {
            pipeFDs = [-1, -1]
        }
        let argv = ([argv0] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = portcullis_spawn_in_cgroup(
            cgroup, bind?.source, bind?.target, root, path, argv, environ, null, pipeFDs[1] >= 0 ? pipeFDs[1] : null,
            &pid)
        if pipeFDs[1] >= 0 { close(pipeFDs[1]) }
        guard rc == 0 else {
            if pipeFDs[0] >= 0 { close(pipeFDs[0]) }
            return .failure(Refused(code: rc))
        }
        return .success(Spawned(pid: pid, stderrPipe: pipeFDs[0] >= 0 ? pipeFDs[0] : nil))
    }

    /// Waits for the program: its exit status (128 + the signal if one ended it) and its stderr.
    func wait() -> (status: Int32, stderr: String) {
        var text: [UInt8] = []
        if let fd = stderrPipe {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                text += buffer[0..<n]
            }
            close(fd)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return (signal == 0 ? (status >> 8) & 0xff : 128 + signal, String(decoding: text, as: UTF8.self))
    }
}
