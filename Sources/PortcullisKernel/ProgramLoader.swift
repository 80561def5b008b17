import CBPF
import Glibc
import PortcullisBPFObject

/// Loads the embedded object with its maps pinned (reusing pins that exist),
/// attaches every program and pins the links. A link pin left by another build
/// is replaced by rename after the new link is attached: both run for a moment,
/// neither is ever missing.
enum ProgramLoader {
    /// Returns what verifying each program cost.
    static func loadAndAttach(pins: Pins, build: UInt64) throws(BPFError) -> [VerifierCost] {
        try pins.createDirectories()
        let object = try openEmbeddedObject()
        defer { bpf_object__close(object) }  // the pins keep programs and maps alive

        for name in Pins.maps {
            guard let map = bpf_object__find_map_by_name(object, name) else {
                throw BPFError("finding map \(name)", code: ENOENT)
            }
            try check("pinning map \(name)", bpf_map__set_pin_path(map, pins.map(name)))
        }
        try check("loading the BPF programs", bpf_object__load(object))
        let costs = VerifierReport.costs(of: object, programs: Enforcer.programs, finished: VerifierReport.boottime())
        // Until the next install says what its image needs, it may need everything (a summary
        // created just now is all zeros, "nothing": an older build's image in force would lapse).
        try check("marking every need in the summary", ImageSummary.everything.write(to: try mapFD(object, "pc_summary")))
        // A table an earlier build wrote (its pin reused) may lack its filter's bits: set them before
        // programs that skip what the filter rules out attach.
        try HostMountTable.coverKeys(in: try mapFD(object, "pc_host_mounts"), filter: try mapFD(object, "pc_host_filter"))

        for name in Enforcer.programs {
            guard let program = bpf_object__find_program_by_name(object, name) else {
                throw BPFError("finding program \(name)", code: ENOENT)
            }
            guard let link = bpf_program__attach(program) else { throw BPFError("attaching \(name)") }
            defer { bpf_link__destroy(link) }  // closes our descriptor; the pin stays
            let path = pins.link(name)
            let fresh = path + "_new"  // bpffs refuses names with dots
            unlink(fresh)
            try check("pinning the link of \(name)", bpf_link__pin(link, fresh))
            guard rename(fresh, path) == 0 else { throw BPFError("replacing \(path)") }
        }

        var key: UInt32 = 0
        var value = build
        try check("recording the build", bpf_map_update_elem(try mapFD(object, "pc_meta"), &key, &value, UInt64(BPF_ANY)))
        return costs
    }

    /// The descriptor of the loaded object's map `name`.
    static func mapFD(_ object: OpaquePointer, _ name: String) throws(BPFError) -> Int32 {
        guard let map = bpf_object__find_map_by_name(object, name) else {
            throw BPFError("finding map \(name)", code: ENOENT)
        }
        return bpf_map__fd(map)
    }
}

/// The embedded object, opened (not loaded); the caller closes it.
func openEmbeddedObject() throws(BPFError) -> OpaquePointer {
    let opened = EmbeddedBPF.object.withUnsafeBytes { bpf_object__open_mem($0.baseAddress, $0.count, nil) }
    guard let object = opened else { throw BPFError("opening the embedded BPF object") }
    return object
}
