/// Builds node trees from parse events with an explicit stack (no recursion),
/// enforcing the reader's rules: scalar, unique, non-merge keys; defined,
/// non-recursive aliases; bounded nesting depth and total node count.
struct TreeBuilder {
    let file: String
    let limits: YAMLReader.Limits
    private(set) var documents: [YAMLNode] = []

    private var stack: [Frame] = []
    private var root: YAMLNode?
    /// Anchors of the current document (anchors do not cross `---`).
    private var anchors: [String: Anchored] = [:]
    /// Nodes produced in the whole file so far, alias copies counted in full.
    private var nodeCount = 0

    private struct Anchored {
        var node: YAMLNode
        var size: Int
        var height: Int
    }

    /// An open sequence or mapping.
    private struct Frame {
        var isMapping: Bool
        var mark: SourceMark
        var tag: String?
        var anchor: String?
        var countAtStart: Int
        var childHeight = 0
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        var seenKeys: [String: SourceMark] = [:]

        var expectsKey: Bool { isMapping && pendingKey == nil }
    }

    init(file: String, limits: YAMLReader.Limits) {
        self.file = file
        self.limits = limits
    }

    mutating func handle(_ e: MarkedEvent) throws(YAMLError) {
        switch e.event {
        case .streamStart, .streamEnd:
            break
        case .documentStart:
            anchors = [:]
            root = nil
        case .documentEnd:
            if let root { documents.append(root) }
            root = nil
            anchors = [:]
        case .scalar(let value, let style, let tag, let anchor):
            if value.contains(0) {
                throw fail(e.mark, "scalar contains a NUL character (from an escape such as \\0); not allowed")
            }
            try count(1, at: e.mark)
            let node = YAMLNode(kind: .scalar(String(decoding: value, as: UTF8.self), style), mark: e.mark, tag: tag)
            try add(node, size: 1, height: 0, anchor: anchor)
        case .alias(let name):
            try alias(name, at: e.mark)
        case .sequenceStart(let tag, let anchor):
            try open(isMapping: false, mark: e.mark, tag: tag, anchor: anchor)
        case .mappingStart(let tag, let anchor):
            try open(isMapping: true, mark: e.mark, tag: tag, anchor: anchor)
        case .sequenceEnd, .mappingEnd:
            try close()
        }
    }

    private mutating func open(isMapping: Bool, mark: SourceMark, tag: String?, anchor: String?) throws(YAMLError) {
        if let top = stack.last, top.expectsKey {
            throw fail(mark, "mapping keys must be scalars, found a \(isMapping ? "mapping" : "sequence")")
        }
        if stack.count >= limits.maxDepth {
            throw fail(mark, "nesting is deeper than \(limits.maxDepth) levels")
        }
        try count(1, at: mark)
        stack.append(Frame(isMapping: isMapping, mark: mark, tag: tag, anchor: anchor, countAtStart: nodeCount - 1))
    }

    private mutating func close() throws(YAMLError) {
        guard let frame = stack.popLast() else { return }
        let kind: YAMLNode.Kind = frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items)
        let node = YAMLNode(kind: kind, mark: frame.mark, tag: frame.tag)
        try add(node, size: nodeCount - frame.countAtStart, height: frame.childHeight + 1, anchor: frame.anchor)
    }

    private mutating func alias(_ name: String, at mark: SourceMark) throws(YAMLError) {
        guard let target = anchors[name] else {
            if stack.contains(where: { $0.anchor == name }) {
                throw fail(mark, "alias \(quoted("*" + name)) refers to a node that contains it; recursive aliases are not allowed")
            }
            throw fail(mark, "undefined alias \(quoted("*" + name)): no anchor \(quoted("&" + name)) before it in this document")
        }
        if stack.count + target.height > limits.maxDepth {
            throw fail(mark, "alias \(quoted("*" + name)) makes nesting deeper than \(limits.maxDepth) levels")
        }
        try count(target.size, at: mark)
        var copy = target.node
        copy.mark = mark
        try add(copy, size: target.size, height: target.height, anchor: nil)
    }

    /// Attaches a finished node to its parent (or makes it the document root).
    private mutating func add(_ node: YAMLNode, size: Int, height: Int, anchor: String?) throws(YAMLError) {
        if let anchor {
            anchors[anchor] = Anchored(node: node, size: size, height: height)
        }
        let top = stack.count - 1
        guard top >= 0 else {
            root = node
            return
        }
        stack[top].childHeight = max(stack[top].childHeight, height)
        if !stack[top].isMapping {
            stack[top].items.append(node)
        } else if let key = stack[top].pendingKey {
            stack[top].pairs.append(YAMLPair(key: key, value: node))
            stack[top].pendingKey = nil
        } else {
            let text = try checkKey(node)
            if let first = stack[top].seenKeys[text] {
                throw fail(node.mark, "duplicate key \(quoted(text)) (first at \(first))")
            }
            stack[top].seenKeys[text] = node.mark
            stack[top].pendingKey = node
        }
    }

    /// The key's text, if it may be a key.
    private func checkKey(_ key: YAMLNode) throws(YAMLError) -> String {
        guard case .scalar(let text, let style) = key.kind else {
            throw fail(key.mark, "mapping keys must be scalars, found a \(key.kindName)")
        }
        if key.tag == CoreTag.merge || (style == .plain && text == "<<" && key.tag == nil) {
            throw fail(key.mark, "merge keys ('<<') are not supported; write the keys out in full")
        }
        return text
    }

    private mutating func count(_ nodes: Int, at mark: SourceMark) throws(YAMLError) {
        nodeCount += nodes
        if nodeCount > limits.maxNodes {
            throw fail(
                mark,
                "the file expands to more than \(limits.maxNodes) nodes; aliases are copied in full, so nested aliases grow exponentially")
        }
    }

    private func fail(_ mark: SourceMark, _ message: String) -> YAMLError {
        YAMLError(file: file, mark: mark, message: message)
    }
}
