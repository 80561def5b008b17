import CBPF
import Glibc

/// libbpf's static linker: joins BPF objects into one, resolving extern maps.
enum BPFLinker {
    static func link(_ objects: [String], into output: String) throws {
        guard let linker = bpf_linker__new(output, nil) else {
            throw EmbedError("bpf_linker__new(\(output)): \(String(cString: strerror(errno)))")
        }
        defer { bpf_linker__free(linker) }
        for object in objects {
            let rc = bpf_linker__add_file(linker, object, nil)
            guard rc == 0 else {
                throw EmbedError("linking \(object): \(String(cString: strerror(-rc)))")
            }
        }
        let rc = bpf_linker__finalize(linker)
        guard rc == 0 else { throw EmbedError("finalizing \(output): \(String(cString: strerror(-rc)))") }
    }
}
