import CELF
import Glibc

/// What the dynamic loader reads of an ELF program or library before it maps
/// anything: its class and machine, its interpreter (PT_INTERP), the libraries
/// it needs (DT_NEEDED) and where to look for them (DT_RUNPATH, DT_RPATH).
/// Read with libelf from the program headers, as the loader reads them (section
/// headers can be stripped). Whatever cannot be read whole and in bounds makes
/// the file unreadable: nil, never a crash.
struct ELFDependencies: Sendable, Equatable {
    /// ELFCLASS32 or ELFCLASS64.
    var elfClass: Int32
    /// e_machine: EM_X86_64, EM_AARCH64, …
    var machine: UInt16
    var interpreter: String?
    var needed: [String]
    var runpath: [String]
    var rpath: [String]

    /// Bounds on what one file may make us read.
    static let maxProgramHeaders = 4096
    static let maxDynamicEntries = 65_536
    static let maxStringTableBytes = 16 << 20
    static let maxNeeded = 1024

    /// The file at `path` (symlinks followed); nil when it is not a regular file,
    /// not an ELF executable or shared object, or cannot be read.
    static func read(path: String) -> ELFDependencies? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        _ = elf_version(UInt32(EV_CURRENT))
        // ELF_C_READ, not a mapping: libelf reads (pread) what is asked, so a file
        // truncated while it is read gives an error rather than SIGBUS.
        guard let elf = elf_begin(fd, ELF_C_READ, nil) else { return nil }
        defer { elf_end(elf) }
        return read(elf)
    }

    /// The same, for bytes in memory (tests).
    static func read(bytes: [UInt8]) -> ELFDependencies? {
        var copy = bytes
        return copy.withUnsafeMutableBytes { raw -> ELFDependencies? in
            guard let base = raw.baseAddress, raw.count > 0 else { return nil }
            _ = elf_version(UInt32(EV_CURRENT))
            guard let elf = elf_memory(base.assumingMemoryBound(to: CChar.self), raw.count) else { return nil }
            defer { elf_end(elf) }
            return read(elf)
        }
    }

    private static func read(_ elf: OpaquePointer) -> ELFDependencies? {
        guard elf_kind(elf) == ELF_K_ELF else { return nil }
        var header = GElf_Ehdr()
        guard gelf_getehdr(elf, &header) != nil else { return nil }
        guard header.e_type == UInt16(ET_EXEC) || header.e_type == UInt16(ET_DYN) else { return nil }
        let elfClass = gelf_getclass(elf)
        guard elfClass == ELFCLASS32 || elfClass == ELFCLASS64 else { return nil }
        var count = 0
        guard elf_getphdrnum(elf, &count) == 0, count > 0, count <= maxProgramHeaders else { return nil }

        var loads: [(address: UInt64, size: UInt64, offset: UInt64)] = []
        var interpreter: String?
        var dynamic: (offset: UInt64, size: UInt64)?
        for index in 0..<count {
            var segment = GElf_Phdr()
            guard gelf_getphdr(elf, Int32(index), &segment) != nil else { return nil }
            switch Int32(bitPattern: segment.p_type) {
            case PT_LOAD:
                loads.append((segment.p_vaddr, segment.p_filesz, segment.p_offset))
            case PT_INTERP:
                guard interpreter == nil, segment.p_filesz <= 4096,
                    let bytes = chunk(elf, offset: segment.p_offset, size: segment.p_filesz)
                else { return nil }
                interpreter = string(in: bytes, at: 0)
                if interpreter?.isEmpty ?? true { return nil }
            case PT_DYNAMIC:
                guard dynamic == nil else { return nil }
                dynamic = (segment.p_offset, segment.p_filesz)
            default:
                break
            }
        }
        var result = ELFDependencies(
            elfClass: elfClass, machine: header.e_machine, interpreter: interpreter, needed: [], runpath: [],
            rpath: [])
        guard let dynamic else { return result }  // a static program: no library

        let entrySize = gelf_fsize(elf, ELF_T_DYN, 1, UInt32(EV_CURRENT))
        guard entrySize > 0, dynamic.size / UInt64(entrySize) <= UInt64(maxDynamicEntries),
            dynamic.offset <= UInt64(Int.max), dynamic.size <= UInt64(Int.max),
            let data = elf_getdata_rawchunk(elf, Int64(dynamic.offset), Int(dynamic.size), ELF_T_DYN)
        else { return nil }
        var needed: [UInt64] = []
        var runpath: [UInt64] = []
        var rpath: [UInt64] = []
        var table: UInt64?
        var tableSize: UInt64?
        for index in 0..<(data.pointee.d_size / entrySize) {
            var entry = GElf_Dyn()
            guard gelf_getdyn(data, Int32(index), &entry) != nil else { return nil }
            switch entry.d_tag {
            case Int64(DT_NULL): break
            case Int64(DT_NEEDED): needed.append(entry.d_un.d_val)
            case Int64(DT_RUNPATH): runpath.append(entry.d_un.d_val)
            case Int64(DT_RPATH): rpath.append(entry.d_un.d_val)
            case Int64(DT_STRTAB): table = entry.d_un.d_ptr
            case Int64(DT_STRSZ): tableSize = entry.d_un.d_val
            default: continue
            }
            if entry.d_tag == Int64(DT_NULL) { break }
        }
        guard !(needed.isEmpty && runpath.isEmpty && rpath.isEmpty) else { return result }
        guard needed.count <= maxNeeded, let table, let tableSize, tableSize > 0,
            tableSize <= UInt64(maxStringTableBytes)
        else { return nil }
        // DT_STRTAB is an address: the file offset is where a PT_LOAD segment maps it.
        guard let load = loads.first(where: { table >= $0.address && table - $0.address < $0.size }) else {
            return nil
        }
        let (offset, overflow) = load.offset.addingReportingOverflow(table - load.address)
        guard !overflow, let strings = chunk(elf, offset: offset, size: min(tableSize, load.size - (table - load.address)))
        else { return nil }
        func names(_ offsets: [UInt64]) -> [String]? {
            var out: [String] = []
            for offset in offsets {
                guard let text = string(in: strings, at: offset), !text.isEmpty else { return nil }
                out.append(text)
            }
            return out
        }
        guard let neededNames = names(needed), let runpaths = names(runpath), let rpaths = names(rpath) else {
            return nil
        }
        result.needed = neededNames
        result.runpath = runpaths.flatMap { $0.split(separator: ":").map(String.init) }
        result.rpath = rpaths.flatMap { $0.split(separator: ":").map(String.init) }
        return result
    }

    /// `size` bytes of the file from `offset`, when the file holds them.
    private static func chunk(_ elf: OpaquePointer, offset: UInt64, size: UInt64) -> UnsafeRawBufferPointer? {
        guard size > 0, offset <= UInt64(Int.max), size <= UInt64(Int.max),
            let data = elf_getdata_rawchunk(elf, Int64(offset), Int(size), ELF_T_BYTE),
            let buffer = data.pointee.d_buf, data.pointee.d_size == Int(size)
        else { return nil }
        return UnsafeRawBufferPointer(start: buffer, count: Int(size))
    }

    /// The NUL-terminated string at `offset` of `bytes`; nil when it is not there whole.
    private static func string(in bytes: UnsafeRawBufferPointer, at offset: UInt64) -> String? {
        guard offset < UInt64(bytes.count) else { return nil }
        let tail = bytes[Int(offset)...]
        guard let end = tail.firstIndex(of: 0) else { return nil }
        return String(decoding: tail[..<end], as: UTF8.self)
    }

    /// Whether a library of `other`'s class and machine can be loaded with this object.
    func loads(with other: ELFDependencies) -> Bool { elfClass == other.elfClass && machine == other.machine }
}

/// Where the loader looks for a library it is asked for by name, in its order:
/// the requesting object's DT_RUNPATH (or, without one, its DT_RPATH and the
/// program's), `$ORIGIN` expanded; the directories of /etc/ld.so.conf and its
/// includes (which the loader knows through ld.so.cache); then the trusted
/// directories. A candidate of another class or machine is passed over, as the
/// loader does. (LD_LIBRARY_PATH is the caller's and not the host's: left out,
/// as are the glibc-hwcaps subdirectories, which hold variants of the same
/// libraries.)
struct LibrarySearch: Sendable {
    /// The directories of the ld.so.conf files, in order.
    var configured: [String]
    /// The files and directories read to find them (for CriticalFiles' cache).
    var read: [String]

    init(configuration: String = "/etc/ld.so.conf") {
        var configured: [String] = []
        var read: [String] = []
        Self.parse(configuration, depth: 0, into: &configured, read: &read)
        var seen: Set<String> = []
        self.configured = configured.filter { seen.insert($0).inserted }
        self.read = read
    }

    init(configured: [String]) {
        self.configured = configured
        self.read = []
    }

    static let maxIncludeDepth = 8
    static let maxConfigurationBytes = 1 << 20

    /// One ld.so.conf file: directories (separated by white space, ':' or ','),
    /// `include GLOB…` (relative to the file's directory), `hwcap` lines (ignored).
    static func parse(_ path: String, depth: Int, into directories: inout [String], read: inout [String]) {
        read.append(path)
        guard depth <= maxIncludeDepth, let text = contents(of: path) else { return }
        let base = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        for rawLine in text.split(whereSeparator: { $0 == "\n" }) {
            let line = rawLine.prefix { $0 != "#" }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = words.first else { continue }
            if first == "include" {
                for pattern in words.dropFirst() {
                    let absolute = pattern.hasPrefix("/") ? String(pattern) : base + "/" + pattern
                    if let slash = absolute.lastIndex(of: "/") { read.append(String(absolute[..<slash])) }
                    for file in glob(absolute) { parse(file, depth: depth + 1, into: &directories, read: &read) }
                }
                continue
            }
            if first == "hwcap" { continue }
            for entry in line.split(whereSeparator: { " \t\r:,".contains($0) }) {
                var directory = String(entry.prefix { $0 != "=" })  // libc5's "dir=type"
                guard directory.hasPrefix("/") else { continue }
                while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
                directories.append(directory)
            }
        }
    }

    static func contents(of path: String) -> String? {
        guard let bytes = try? WholeFile(maxBytes: maxConfigurationBytes).read(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The paths `pattern` matches, sorted (glob(3)).
    static func glob(_ pattern: String) -> [String] {
        var found = glob_t()
        defer { globfree(&found) }
        guard Glibc.glob(pattern, 0, nil, &found) == 0 else { return [] }
        return (0..<Int(found.gl_pathc)).compactMap { found.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }

    /// The trusted directories for a machine: its multiarch directories (Debian), then the others.
    static func trusted(machine: UInt16, elfClass: Int32) -> [String] {
        let triplet: String? =
            switch Int32(machine) {
            case EM_X86_64 where elfClass == ELFCLASS64: "x86_64-linux-gnu"
            case EM_AARCH64: "aarch64-linux-gnu"
            case EM_386: "i386-linux-gnu"
            default: nil
            }
        let multiarch = triplet.map { ["/lib/" + $0, "/usr/lib/" + $0] } ?? []
        return multiarch + ["/lib64", "/usr/lib64", "/lib", "/usr/lib"]
    }

    /// The directories searched for the libraries `object` (found at `path`)
    /// needs, in order; `program` is the program being loaded, whose DT_RPATH
    /// also applies to the libraries without a DT_RUNPATH.
    func directories(
        for object: ELFDependencies, at path: String, program: (object: ELFDependencies, path: String)
    ) -> [String] {
        var directories: [String] = []
        if !object.runpath.isEmpty {
            directories += object.runpath.compactMap { Self.expand($0, origin: path) }
        } else {
            directories += object.rpath.compactMap { Self.expand($0, origin: path) }
            if program.path != path, program.object.runpath.isEmpty {
                directories += program.object.rpath.compactMap { Self.expand($0, origin: program.path) }
            }
        }
        return directories + configured + Self.trusted(machine: object.machine, elfClass: object.elfClass)
    }

    /// A DT_RUNPATH or DT_RPATH entry with `$ORIGIN` (the directory of the object
    /// at `origin`) replaced; nil for one the loader would not use here (other
    /// tokens, a relative directory).
    static func expand(_ entry: String, origin: String) -> String? {
        let directory = origin.lastIndex(of: "/").map { $0 == origin.startIndex ? "/" : String(origin[..<$0]) } ?? "."
        var expanded = entry.replacing("${ORIGIN}", with: directory).replacing("$ORIGIN", with: directory)
        guard !expanded.contains("$"), expanded.hasPrefix("/") else { return nil }
        while expanded.count > 1 && expanded.hasSuffix("/") { expanded.removeLast() }
        return expanded
    }

    /// The library `name` needed by `object`, as the loader would load it: its
    /// path and what it holds; nil when none is found.
    func resolve(
        _ name: String, for object: ELFDependencies, at path: String,
        program: (object: ELFDependencies, path: String)
    ) -> (path: String, object: ELFDependencies)? {
        if name.contains("/") {
            guard name.hasPrefix("/"), let found = ELFDependencies.read(path: name), found.loads(with: object) else {
                return nil
            }
            return (name, found)
        }
        for directory in directories(for: object, at: path, program: program) {
            let candidate = directory == "/" ? "/" + name : directory + "/" + name
            guard let found = ELFDependencies.read(path: candidate), found.loads(with: object) else { continue }
            return (candidate, found)
        }
        return nil
    }
}
