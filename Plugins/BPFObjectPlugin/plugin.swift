// Compiles the BPF programs in bpf/ and embeds the linked object in the
// target that uses this plugin, as generated Swift source.
import Foundation
import PackagePlugin

@main
struct BPFObjectPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let bpf = context.package.directoryURL.appending(path: "bpf")
        let files = try FileManager.default.subpathsOfDirectory(atPath: bpf.path)
            .sorted()
            .map { bpf.appending(path: $0) }
        let sources = files.filter { $0.path.hasSuffix(".bpf.c") }
        let headers = files.filter { $0.path.hasSuffix(".h") }
        let work = context.pluginWorkDirectoryURL
        let output = work.appending(path: "EmbeddedBPFObject.swift")
        let arguments =
            ["--clang", try context.tool(named: "clang").url.path,
             "--output", output.path,
             "--work", work.appending(path: "objects").path,
             "-I", bpf.appending(path: "include").path,
             "-I", bpf.appending(path: "abi/include").path]
            + sources.map(\.path)
        return [
            .buildCommand(
                displayName: "Compiling and embedding the BPF programs",
                executable: try context.tool(named: "BPFEmbedder").url,
                arguments: arguments,
                inputFiles: sources + headers,
                outputFiles: [output])
        ]
    }
}
