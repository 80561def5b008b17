import FoundationEssentials

/// The linked BPF object (bpf/*.bpf.c), compiled at build time by
/// BPFObjectPlugin and carried inside the binary.
public enum EmbeddedBPF {
    /// The ELF bytes of the object, ready for bpf_object__open_mem.
    public static let object: [UInt8] = {
        let text = embeddedBPFObjectBase64.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
        guard let data = Data(base64Encoded: text) else {
            fatalError("the embedded BPF object is corrupt; rebuild portcullis")
        }
        return [UInt8](data)
    }()
}
