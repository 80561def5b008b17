// swift-tools-version:6.0
// portcullis: a BPF-LSM host security enforcer.
//
// The targets follow the pipeline:
//   YAML (PortcullisYAML) → policy model (PortcullisPolicy) → compiled image
//   (PortcullisCompiler, with PortcullisRegex) → kernel maps (PortcullisKernel).
//   PortcullisGeneration builds a generation from a policy directory on this
//   host (read, trusted, reconciled, resolved, compiled) for the CLI and the
//   daemon alike; the daemon (PortcullisDaemon) watches the directory and keeps
//   its audit trail in the journal (PortcullisJournal).
import PackageDescription

let package = Package(
    name: "portcullis",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "portcullis", targets: ["portcullis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.4.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
    ],
    targets: [
        // C libraries from Debian, through pkg-config.
        .systemLibrary(
            name: "CBPF", pkgConfig: "libbpf",
            providers: [.apt(["libbpf-dev", "libelf-dev", "zlib1g-dev"])]),
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(
            name: "CSystemd", pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(
            name: "CGcrypt", pkgConfig: "libgcrypt",
            providers: [.apt(["libgcrypt20-dev"])]),
        // libelf, to read the ELF headers of the host's critical programs (CriticalFiles).
        .systemLibrary(
            name: "CELF", pkgConfig: "libelf",
            providers: [.apt(["libelf-dev"])]),
        // glibc's epoll(7), which Swift's Glibc module leaves out.
        .systemLibrary(name: "CLinux"),

        // The ABI shared by the BPF programs and Swift: one header, bpf/abi/include.
        .target(name: "CPortcullisABI", path: "bpf/abi"),

        // Thin typed wrappers over the syscalls the daemon uses (inotify, epoll, errno).
        .target(
            name: "PortcullisSystem",
            dependencies: ["CLinux", .product(name: "SystemPackage", package: "swift-system")]),

        // Stage 1: YAML text → node tree with source marks.
        .target(name: "PortcullisYAML", dependencies: ["CYAML"]),
        // Regular expressions → minimized DFAs.
        .target(name: "PortcullisRegex"),
        // Stage 2: node tree → policy model, with diagnostics.
        .target(name: "PortcullisPolicy", dependencies: ["PortcullisYAML", "PortcullisRegex"]),
        // Stage 3: policy model → compiled image (the tables the BPF programs walk).
        .target(
            name: "PortcullisCompiler",
            dependencies: ["PortcullisPolicy", "PortcullisRegex", "CPortcullisABI"]),

        // The BPF object, compiled by clang -target bpf at build time and embedded.
        .executableTarget(name: "BPFEmbedder", dependencies: ["CBPF"]),
        .plugin(
            name: "BPFObjectPlugin", capability: .buildTool(),
            dependencies: ["BPFEmbedder"]),
        .target(name: "PortcullisBPFObject", plugins: ["BPFObjectPlugin"]),

        // Stage 4: compiled image → kernel maps; program loading and attachment.
        .target(
            name: "PortcullisKernel",
            dependencies: [
                "CBPF", "CPortcullisABI", "PortcullisBPFObject", "PortcullisCompiler",
                "PortcullisSystem",
            ]),
        // The audit trail (journald or JSON lines) and sd_notify.
        .target(
            name: "PortcullisJournal",
            dependencies: ["CSystemd", .product(name: "SystemPackage", package: "swift-system")]),
        // Policy directory → generation: the files read and trusted, reconciled with
        // their last good versions, resolved on this host (symlinks, identities,
        // contents) and compiled. `check`, `compile`, `explain` and the daemon all
        // build through it, so what the CLI says is what the daemon does.
        .target(
            name: "PortcullisGeneration",
            dependencies: [
                "PortcullisKernel", "PortcullisCompiler", "PortcullisPolicy", "PortcullisRegex", "CGcrypt", "CELF",
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
        // The daemon: watch the policy directory, compile, swap generations.
        .target(
            name: "PortcullisDaemon",
            dependencies: [
                "PortcullisGeneration", "PortcullisKernel", "PortcullisCompiler", "PortcullisPolicy", "PortcullisRegex",
                "PortcullisSystem", "PortcullisJournal", "CSystemd",
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
        // The kernel selftests' pure parts: seeded random policies and events, the
        // flip plan, and how a kernel decision is compared with the reference's.
        // libFuzzer target over YAML → image (scripts/fuzz builds it with -sanitize=fuzzer).
        .target(name: "CFuzzDriver"),
        .executableTarget(
            name: "PortcullisFuzz", dependencies: ["CFuzzDriver", "PortcullisPolicy", "PortcullisCompiler"]),
        .target(name: "PortcullisSelftest", dependencies: ["PortcullisCompiler", "PortcullisPolicy", "PortcullisRegex"]),
        // The differential selftest's spawn into a cgroup (clone3 with CLONE_INTO_CGROUP).
        .target(name: "CSelftestSpawn"),
        .executableTarget(
            name: "portcullis",
            dependencies: [
                "PortcullisDaemon", "PortcullisGeneration", "PortcullisKernel", "PortcullisCompiler", "PortcullisPolicy",
                "PortcullisJournal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // The kernel selftests (VM scenarios 90 and 95): a test tool, built next to
        // portcullis (scripts/build) and never packaged.
        .executableTarget(
            name: "portcullis-selftest",
            dependencies: [
                "PortcullisGeneration", "PortcullisKernel", "PortcullisCompiler", "PortcullisPolicy",
                "PortcullisSelftest", "CSelftestSpawn",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tests/KernelSelftest"),
        // The kernel side of host runs of the daemon (its tests, portcullis-bench daemon).
        .target(name: "PortcullisFakeKernel", dependencies: ["PortcullisKernel", "PortcullisCompiler"], path: "Tests/FakeKernel"),
        // Host benchmarks of the daemon (scripts/bench-update, scripts/bench-footprint-host): a test tool, never packaged.
        .executableTarget(
            name: "portcullis-bench",
            dependencies: [
                "PortcullisGeneration", "PortcullisSystem", "PortcullisDaemon", "PortcullisKernel", "PortcullisFakeKernel",
                "PortcullisJournal",
            ],
            path: "Tests/Bench"),

        .testTarget(name: "PortcullisYAMLTests", dependencies: ["PortcullisYAML"]),
        .testTarget(
            name: "PortcullisKernelTests",
            dependencies: ["PortcullisKernel", "CPortcullisABI", "CBPF", "PortcullisCompiler", "PortcullisPolicy"]),
        .testTarget(
            name: "PortcullisDaemonTests",
            dependencies: [
                "PortcullisDaemon", "PortcullisGeneration", "PortcullisPolicy", "PortcullisCompiler", "PortcullisKernel",
                "PortcullisJournal", "PortcullisSystem", "PortcullisFakeKernel",
            ]),
        .testTarget(
            name: "PortcullisGenerationTests",
            dependencies: ["PortcullisGeneration", "PortcullisPolicy", "PortcullisCompiler", "PortcullisKernel"]),
        .testTarget(
            name: "PortcullisRegexTests",
            dependencies: [
                "PortcullisRegex",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(name: "PortcullisPolicyTests", dependencies: ["PortcullisPolicy"]),
        .testTarget(
            name: "PortcullisCompilerTests",
            dependencies: ["PortcullisCompiler", "PortcullisPolicy"]),
        .testTarget(
            name: "PortcullisJournalTests",
            dependencies: ["PortcullisJournal", "PortcullisDaemon", "PortcullisPolicy"]),
        .testTarget(
            name: "PortcullisSelftestTests",
            dependencies: ["PortcullisSelftest", "PortcullisCompiler", "PortcullisPolicy"]),
    ],
    swiftLanguageModes: [.v6]
)
