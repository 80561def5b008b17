import CBPF
import CPortcullisABI
import Glibc
import PortcullisCompiler

/// What the programs' maps take of kernel memory, from their definitions in
/// the embedded object and the kernel's own way of allocating each map type
/// (Linux 6.1 to 6.12, 64-bit): per-CPU maps grow with the CPU count, hash
/// maps without preallocation with the entries in use, task storage with the
/// tasks. Kernel bookkeeping of a few hundred bytes per map is left out.
public enum MapFootprint {
    /// One map as the object defines it.
    public struct Map: Sendable, Equatable {
        public var name: String
        public var type: UInt32
        public var keySize: Int
        public var valueSize: Int
        public var maxEntries: Int
        public var flags: UInt32

        public init(name: String, type: UInt32, keySize: Int, valueSize: Int, maxEntries: Int, flags: UInt32) {
            (self.name, self.type, self.keySize, self.valueSize) = (name, type, keySize, valueSize)
            (self.maxEntries, self.flags) = (maxEntries, flags)
        }
    }

    /// What the footprint depends on besides the definitions.
    public struct Load: Sendable {
        public var cpus: Int
        /// Lines of the image in force (the inner map's size).
        public var imageLines: Int
        /// Entries in use in each hash map without preallocation (pc_hits: the rules that decided something).
        public var hashEntries: Int

        public init(cpus: Int, imageLines: Int, hashEntries: Int) {
            (self.cpus, self.imageLines, self.hashEntries) = (cpus, imageLines, hashEntries)
        }
    }

    static let page = 4096
    /// `struct htab_elem` before its key (hash node, hash, and the per-CPU pointer or padding).
    static let hashElementHeader = 48
    /// `struct bucket`: a list head and a raw spinlock.
    static let hashBucket = 16
    /// `struct bpf_local_storage_elem` and `bpf_local_storage` bookkeeping, per task and map.
    static let taskStorageOverhead = 160

    /// The maps of the embedded object, as defined (the image template's size is set at install).
    public static func embeddedMaps() throws(BPFError) -> [Map] {
        let object = try openEmbeddedObject()
        defer { bpf_object__close(object) }
        var maps: [Map] = []
        var map = bpf_object__next_map(object, nil)
        while let current = map {
            maps.append(
                Map(
                    name: String(cString: bpf_map__name(current)), type: bpf_map__type(current).rawValue,
                    keySize: Int(bpf_map__key_size(current)), valueSize: Int(bpf_map__value_size(current)),
                    maxEntries: Int(bpf_map__max_entries(current)), flags: bpf_map__map_flags(current)))
            map = bpf_object__next_map(object, current)
        }
        return maps
    }

    /// Every map of the object and the image in force (an array map the daemon creates for each
    /// generation, not in the object), under `load`; nil when a map's type is not modelled.
    public static func total(_ maps: [Map], _ load: Load) -> Int? {
        var sum = load.imageLines * MemoryLayout<pc_image_line>.size
        for map in maps {
            guard let bytes = bytes(map, load) else { return nil }
            sum += bytes
        }
        return sum
    }

    /// Bytes of kernel memory `map` takes under `load`, or nil for a type this model does not know.
    /// Task storage is per task (see `perTask`) and counts 0 here; so does inode storage
    /// (pc_digest_cache: a digest for each file hashed, freed with the inode).
    public static func bytes(_ map: Map, _ load: Load) -> Int? {
        let value = roundUp(map.valueSize, 8)
        let key = roundUp(map.keySize, 8)
        let preallocated = map.flags & UInt32(BPF_F_NO_PREALLOC) == 0
        switch bpf_map_type(map.type) {
        case BPF_MAP_TYPE_ARRAY:
            return map.maxEntries * value
        case BPF_MAP_TYPE_PERCPU_ARRAY:
            return map.maxEntries * (8 + value * load.cpus)
        case BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH:
            let percpu = bpf_map_type(map.type) == BPF_MAP_TYPE_PERCPU_HASH
            let entries = preallocated ? map.maxEntries : min(load.hashEntries, map.maxEntries)
            let element = hashElementHeader + key + (percpu ? value * load.cpus : value)
            let buckets = nextPowerOfTwo(map.maxEntries) * hashBucket
            return buckets + 32 * load.cpus + entries * element
        case BPF_MAP_TYPE_RINGBUF:
            // The data pages, the consumer and producer pages, and the page array mapped twice.
            let pages = map.maxEntries / page + 2
            return map.maxEntries + 2 * page + 2 * pages * 8
        case BPF_MAP_TYPE_ARRAY_OF_MAPS:
            return map.maxEntries * 8
        case BPF_MAP_TYPE_TASK_STORAGE, BPF_MAP_TYPE_INODE_STORAGE:
            return 0  // per task; per file executed or mapped while content rules are in force
        default:
            return nil
        }
    }

    /// Bytes each task costs in `map` (task storage), else 0.
    public static func perTask(_ map: Map) -> Int {
        bpf_map_type(map.type) == BPF_MAP_TYPE_TASK_STORAGE ? roundUp(map.valueSize, 8) + taskStorageOverhead : 0
    }

    /// Bytes a task started while `image` is in force costs in `map`: no task records are
    /// made while no image needs them (pc_summary), so none for an image that does not.
    public static func perTask(_ map: Map, under image: PolicyImage) -> Int {
        map.name == "pc_tasks" && !image.needsTaskRecords ? 0 : perTask(map)
    }

    static func roundUp(_ n: Int, _ to: Int) -> Int { (n + to - 1) / to * to }

    static func nextPowerOfTwo(_ n: Int) -> Int {
        var p = 1
        while p < n { p <<= 1 }
        return p
    }
}
