import CBPF
import Dispatch
import Glibc
import PortcullisBPFObject

/// Loads the embedded programs with their maps pinned (reusing pins that
/// exist), attaches every program and pins the links. A link pin left by
/// another build is replaced by rename after the new link is attached: both run
/// for a moment, neither is ever missing.
///
/// The maps are created first, from maps.bpf.c's own object; the programs are
/// then loaded in two parts, each an object of its own sharing those maps, on
/// two threads: the kernel verifies privileged loads side by side, so a start
/// waits for the larger part, not for the sum.
enum ProgramLoader {
    /// The programs of the first part: `pc_exec`, the costliest to verify, with
    /// a few lighter ones; every other program is in the second. About even on
    /// 6.1 and 6.12 (docs/benchmarks.md).
    static let firstPart: Set<String> = [
        "pc_exec", "pc_capable", "pc_mprotect_exec", "pc_task_alloc", "pc_content_open", "pc_content_truncate",
    ]
    static var parts: [[String]] {
        [Enforcer.programs.filter(firstPart.contains), Enforcer.programs.filter { !firstPart.contains($0) }]
    }

    /// Returns what verifying each program cost.
    static func loadAndAttach(pins: Pins, build: UInt64) throws(BPFError) -> [VerifierCost] {
        try pins.createDirectories()
        let maps = try openEmbeddedMaps()
        defer { bpf_object__close(maps) }  // the programs and the pins keep the maps alive
        for name in Pins.maps {
            guard let map = bpf_object__find_map_by_name(maps, name) else {
                throw BPFError("finding map \(name)", code: ENOENT)
            }
            try check("pinning map \(name)", bpf_map__set_pin_path(map, pins.map(name)))
        }
        try check("creating the maps", bpf_object__load(maps))

        let parts = Self.parts
        var objects: [OpaquePointer] = []
        defer { objects.forEach { bpf_object__close($0) } }
        for part in parts { objects.append(try openPart(part, sharingMapsOf: maps)) }
        let loads = loadSideBySide(objects)
        for load in loads { try check("loading the BPF programs", load.status) }
        let costs = parts.indices.flatMap { index in
            VerifierReport.costs(of: objects[index], programs: parts[index], finished: loads[index].finished, part: index)
        }
        // Until the next install says what its image needs, it may need everything (a summary
        // created just now is all zeros, "nothing": an older build's image in force would lapse).
        try check("marking every need in the summary", ImageSummary.everything.write(to: try mapFD(maps, "pc_summary")))

        for (part, object) in zip(parts, objects) {
            for name in part {
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
        }

        var key: UInt32 = 0
        var value = build
        try check("recording the build", bpf_map_update_elem(try mapFD(maps, "pc_meta"), &key, &value, UInt64(BPF_ANY)))
        let order = Dictionary(uniqueKeysWithValues: Enforcer.programs.enumerated().map { ($1, $0) })
        return costs.sorted { order[$0.program, default: .max] < order[$1.program, default: .max] }
    }

    /// The embedded object opened with only `programs` to load, each of its maps
    /// the one `maps` created (its own read-only data excepted). A map that
    /// maps.bpf.c does not define is refused: it would not be shared.
    static func openPart(_ programs: [String], sharingMapsOf maps: OpaquePointer) throws(BPFError) -> OpaquePointer {
        let object = try openEmbeddedObject()
        do throws(BPFError) {
            var program = bpf_object__next_program(object, nil)
            while let current = program {
                let name = String(cString: bpf_program__name(current))
                try check("choosing program \(name)", bpf_program__set_autoload(current, programs.contains(name)))
                program = bpf_object__next_program(object, current)
            }
            var map = bpf_object__next_map(object, nil)
            while let current = map {
                map = bpf_object__next_map(object, current)
                if bpf_map__is_internal(current) { continue }
                let name = String(cString: bpf_map__name(current))
                guard let shared = bpf_object__find_map_by_name(maps, name) else {
                    throw BPFError("sharing map \(name): maps.bpf.c does not define it", code: ENOENT)
                }
                try check("sharing map \(name)", bpf_map__reuse_fd(current, bpf_map__fd(shared)))
            }
        } catch {
            bpf_object__close(object)
            throw error
        }
        return object
    }

    /// Loads each object on a thread of its own; its status (0 or a negative
    /// errno) and when it finished (CLOCK_BOOTTIME), in the objects' order.
    static func loadSideBySide(_ objects: [OpaquePointer]) -> [(status: Int32, finished: UInt64)] {
        // Each thread touches its own object and its own result only.
        nonisolated(unsafe) let objects = objects
        nonisolated(unsafe) let results = UnsafeMutableBufferPointer<(status: Int32, finished: UInt64)>
            .allocate(capacity: objects.count)
        defer { results.deallocate() }
        results.initialize(repeating: (0, 0))
        DispatchQueue.concurrentPerform(iterations: objects.count) { index in
            let status = bpf_object__load(objects[index])
            results[index] = (status, VerifierReport.boottime())
        }
        return Array(results)
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

/// maps.bpf.c's embedded object, opened (not loaded); the caller closes it.
func openEmbeddedMaps() throws(BPFError) -> OpaquePointer {
    let opened = EmbeddedBPF.maps.withUnsafeBytes { bpf_object__open_mem($0.baseAddress, $0.count, nil) }
    guard let object = opened else { throw BPFError("opening the embedded BPF maps object") }
    return object
}
