import FoundationEssentials

/// The BPF objects compiled at build time by BPFObjectPlugin and carried
/// inside the binary: the linked one (bpf/*.bpf.c) and maps.bpf.c's own.
public enum EmbeddedBPF {
    /// The ELF bytes of the linked object, ready for bpf_object__open_mem.
    public static let object = decode(embeddedBPFObjectBase64)

    /// The ELF bytes of maps.bpf.c alone: every map the programs share, and no
    /// program (so no CO-RE relocation, and no kernel BTF to read at its load).
    public static let maps = decode(embeddedBPFMapsBase64)

    private static func decode(_ base64: StaticString) -> [UInt8] {
        let text = base64.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
        guard let data = Data(base64Encoded: text) else {
            fatalError("the embedded BPF object is corrupt; rebuild portcullis")
        }
        return [UInt8](data)
    }
}
