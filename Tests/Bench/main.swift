// portcullis-bench update DIR FILE ROUNDS: how long the daemon's builder takes
// to make the next generation when one file of DIR changes. FILE (a policy
// file in DIR) is rewritten ROUNDS times, by rename, with one rule more or
// less each time; each build is timed (read, reconcile, resolve, compile).
// The first build, and a build from scratch of the final directory, are timed
// too, and the last image is checked against the one from scratch. Run by
// scripts/bench-update; prints figures, asserts nothing but that equality.
import Glibc
import PortcullisGeneration
import PortcullisCompiler
import PortcullisSystem

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func milliseconds(_ start: Double) -> Int { Int(((now() - start) * 1000).rounded()) }

func write(_ text: String, to path: String) {
    let staged = path + ".bench-tmp"
    let fd = open(staged, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
    precondition(fd >= 0, "cannot write \(staged)")
    _ = text.utf8CString.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
    close(fd)
    precondition(rename(staged, path) == 0, "cannot rename onto \(path)")
}

func read(_ path: String) -> String {
    guard let file = fopen(path, "r") else { fatalError("cannot read \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n == 0 { break }
        bytes += buffer[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// VmRSS of this process, in MB, once freed memory is returned to the kernel,
/// and the heap's bytes in use (what the program holds, fragmentation aside).
func residentMB() -> String {
    Heap.returnFreeMemory()
    let status = read("/proc/self/status")
    func kilobytes(_ field: String) -> Int {
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
    func mb(_ kb: Int) -> String { "\(kb / 1024).\(kb % 1024 * 10 / 1024) MB" }
    return "\(mb(kilobytes("VmRSS"))) (anonymous \(mb(kilobytes("RssAnon"))), heap in use \(mb(Heap.bytesInUse / 1024)))"
}

let arguments = CommandLine.arguments
if arguments.count == 4, arguments[1] == "daemon" {
    try runDaemon(directory: arguments[2], runtime: arguments[3])
}
// portcullis-bench memory DIR: what stays after one build, held as the daemon
// holds it: the builder (its files, last good versions, pattern automata), and
// the generation in force (its image and its rules).
if arguments.count == 3, arguments[1] == "memory" {
    print("memory: at start \(residentMB())")
    var builder = GenerationBuilder(directory: PolicyDirectory(path: arguments[2], requireTrusted: false))
    var inForce: CompiledPolicy?
    do {
        let (_, outcome) = try builder.read()
        print("memory: files read and parsed: \(residentMB())")
        inForce = try builder.compile(files: outcome.files, applied: [:], generation: 1).compiled
        print("memory: compiled, the builder and the generation kept: \(residentMB())")
    }
    print("memory: image \(inForce!.image.words.count * 4 / 1024) KB, \(inForce!.rules.count) rules;"
          + " \(builder.patternCache.count) automata, \(builder.patternCache.tableBytes / 1024) KB of tables;"
          + " \(builder.patternCache.groupCount) groups' products, \(builder.patternCache.groupBytes / 1024) KB")
    inForce = nil
    print("memory: the builder alone (its caches): \(residentMB())")
    builder = GenerationBuilder(directory: PolicyDirectory(path: "/nonexistent", requireTrusted: false))
    print("memory: without it: \(residentMB())")
    exit(0)
}
guard arguments.count == 5, arguments[1] == "update", let rounds = Int(arguments[4]), rounds > 0 else {
    print("usage: portcullis-bench update DIR FILE ROUNDS")
    exit(2)
}
let (directory, file) = (arguments[2], arguments[3])
let original = read(file)
defer { write(original, to: file) }

let policyDirectory = PolicyDirectory(path: directory, requireTrusted: false)
var builder = GenerationBuilder(directory: policyDirectory)
var start = now()
var compiled = try builder.build(generation: 1)
let first = milliseconds(start)
print("bench-update: first build: \(first) ms (\(compiled.rules.count) rules, exec DFA \(compiled.execStates) states)")
print("bench-update: resident after it, with the builder's caches and the image: \(residentMB())")
var times: [Int] = []
for round in 1...rounds {
    let extra = round % 2 == 1 ? "    - exec: { pathRegex: \"^/opt/bench-update/r\(round)/[a-z]+$\" }\n      action: deny\n" : ""
    write(original + extra, to: file)
    start = now()
    compiled = try builder.build(generation: UInt64(round + 1))
    times.append(milliseconds(start))
}
print("bench-update: resident after the one-file builds: \(residentMB())")
start = now()
var scratch = GenerationBuilder(directory: policyDirectory)
let fresh = try scratch.build(generation: UInt64(rounds + 1))
let freshTime = milliseconds(start)
guard fresh.image == compiled.image else {
    print("bench-update: FAIL: the last incremental image differs from a build from scratch")
    exit(1)
}
times.sort()
let median = times[times.count / 2]
print(
    "bench-update: one file changed, \(rounds) rounds: median \(median) ms, min \(times[0]) ms,"
        + " max \(times[times.count - 1]) ms; a build from scratch of the same directory: \(freshTime) ms;"
        + " images equal")
