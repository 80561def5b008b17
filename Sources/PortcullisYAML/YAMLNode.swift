/// How a scalar was written. Typing depends on it: only plain scalars are ever
/// read as null, booleans or integers.
public enum ScalarStyle: Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// One node of a YAML document, with where it starts in the file.
///
/// Scalars stay strings; interpreting them is the policy layer's job (see the
/// helpers `isNull`, `bool`, `int`, `string`).
public struct YAMLNode: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var kind: Kind
    /// Where the node starts: for a node with an anchor or tag, the anchor or tag;
    /// for a block mapping, its first key; for an empty value (`key:`), the column
    /// just after the colon; for an alias copy, the alias (`*name`).
    public var mark: SourceMark
    /// The resolved tag, if one was written: `!!str` is `tag:yaml.org,2002:str`,
    /// `!local` stays `!local`, the non-specific `!` stays `!`.
    public var tag: String?

    public init(kind: Kind, mark: SourceMark, tag: String? = nil) {
        self.kind = kind
        self.mark = mark
        self.tag = tag
    }
}

/// One key/value entry of a mapping, in file order. Keys are always scalars.
public struct YAMLPair: Sendable, Equatable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}
