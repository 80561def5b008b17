/// Reads YAML policy files into node trees, through the system libyaml.
public enum YAMLReader {
    /// Bounds on what one file may produce.
    public struct Limits: Sendable, Hashable {
        /// Total nodes in the file, all documents, alias copies counted in full
        /// (this is what stops a "billion laughs" file).
        public var maxNodes: Int
        /// Sequences and mappings nested inside each other (a document whose root
        /// is a mapping of scalars has depth 1).
        public var maxDepth: Int

        public init(maxNodes: Int = 100_000, maxDepth: Int = 64) {
            self.maxNodes = maxNodes
            self.maxDepth = maxDepth
        }
    }

    /// Every document in the text (a file may hold several, separated by `---`).
    /// An empty file, or one with only comments, gives [].
    ///
    /// Aliases are resolved to copies of their anchored node. Errors name the file
    /// and a 1-based line and column.
    public static func documents(
        in bytes: [UInt8], file: String, limits: Limits = Limits()
    ) throws(YAMLError) -> [YAMLNode] {
        let input = InputText(bytes)
        try input.validate(file: file)
        let stream = EventStream(bytes: input.bytes, endMark: input.mark(atByteOffset: input.bytes.count))
        var builder = TreeBuilder(file: file, limits: limits)
        while true {
            let event: MarkedEvent
            do {
                event = try stream.next()
            } catch {
                throw error.yamlError(file: file, input: input)
            }
            if case .streamEnd = event.event { break }
            try builder.handle(event)
        }
        return builder.documents
    }
}
