extension YAMLNode {
    /// The text of a scalar of any style; nil for a sequence or mapping.
    public var string: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    /// The style of a scalar; nil for a sequence or mapping.
    public var scalarStyle: ScalarStyle? {
        if case .scalar(_, let style) = kind { return style }
        return nil
    }

    /// The items of a sequence; nil otherwise.
    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    /// The entries of a mapping, in file order; nil otherwise.
    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    /// The entry whose key text is `key`, if this is a mapping that has one.
    /// (Keys are unique: the reader rejects duplicates.)
    public func pair(_ key: String) -> YAMLPair? {
        guard case .mapping(let pairs) = kind else { return nil }
        return pairs.first { $0.key.string == key }
    }

    /// The value for `key`, if this is a mapping that has it.
    public func child(_ key: String) -> YAMLNode? {
        pair(key)?.value
    }

    /// "scalar", "sequence" or "mapping", for messages such as
    /// "expected a mapping, found a sequence".
    public var kindName: String {
        switch kind {
        case .scalar: "scalar"
        case .sequence: "sequence"
        case .mapping: "mapping"
        }
    }
}
