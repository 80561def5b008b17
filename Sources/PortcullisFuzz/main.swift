// libFuzzer target: arbitrary bytes as a policy file → diagnostics → compiled
// image → a few decisions by the reference evaluator. Any crash, hang or
// runaway allocation is a bug. scripts/fuzz builds it with -sanitize=fuzzer;
// an ordinary build makes a program that only says so.
import CFuzzDriver
import Glibc
import PortcullisCompiler
import PortcullisPolicy

func fuzzPolicy(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let file = PolicyReader.read(bytes, file: "fuzz.yaml")
    guard file.isUsable,
        let compiled = try? PolicyCompiler.compile(file.policies, generation: 1, stateLimit: 4096)
    else { return 0 }
    let evaluator = ImageEvaluator(compiled.image)
    _ = evaluator.exec(path: Array("/usr/bin/kubectl".utf8))
    _ = evaluator.capable(12, by: .init(executable: "/usr/bin/mount", arguments: ["-o", "bind", "/a", "/b"]))
    _ = evaluator.mount(.init(source: "/a", target: "/b", fstype: "tmpfs", flags: 4096), by: .unrecorded)
    return 0
}

var argc = CommandLine.argc
var argv = Optional(CommandLine.unsafeArgv)
let status = pc_fuzz_run(&argc, &argv) { data, size in fuzzPolicy(data, size) }
if status == -1 {
    print("PortcullisFuzz: built without libFuzzer; run scripts/fuzz")
    exit(2)
}
exit(status)
