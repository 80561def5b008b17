internal import CYAML

/// One libyaml parse event, copied into Swift values (the C event is freed at once).
enum Event {
    case streamStart, streamEnd
    case documentStart, documentEnd
    case alias(anchor: String)
    case scalar(value: [UInt8], style: ScalarStyle, tag: String?, anchor: String?)
    case sequenceStart(tag: String?, anchor: String?)
    case sequenceEnd
    case mappingStart(tag: String?, anchor: String?)
    case mappingEnd
}

/// An event and libyaml's `start_mark` for it, made 1-based.
struct MarkedEvent {
    var event: Event
    var mark: SourceMark
}

/// libyaml's error fields, copied out of the parser.
struct LibYAMLFailure: Error {
    enum Stage { case memory, reader, scanner, parser, other }
    var stage: Stage
    var problem: String
    var problemMark: SourceMark
    /// libyaml's `problem_mark.index`: a character index into the input.
    var problemIndex: Int
    var context: String?
    var contextMark: SourceMark
    /// Reader errors only: byte offset and offending value.
    var problemOffset: Int
    var problemValue: Int
}

/// The libyaml event parser over an owned copy of the input.
///
/// Marks are clamped to `endMark`, the true end of the text: at the end of the
/// stream libyaml behaves as if a line break followed, so for a file without a
/// final newline it reports line N+1, column 1, a line that does not exist.
///
/// The parser struct lives at a fixed heap address (libyaml's string reader keeps
/// a pointer back to it) and the input copy outlives it; `deinit` releases both,
/// on every path, including errors thrown half-way through a file.
final class EventStream {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let ready: Bool
    private let endMark: SourceMark

    init(bytes: [UInt8], endMark: SourceMark) {
        self.endMark = endMark
        parser = .allocate(capacity: 1)
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(fromContentsOf: bytes)
        ready = yaml_parser_initialize(parser) != 0
        if ready {
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
        }
    }

    deinit {
        if ready { yaml_parser_delete(parser) }
        parser.deallocate()
        input.deallocate()
    }

    func next() throws(LibYAMLFailure) -> MarkedEvent {
        guard ready else {
            throw LibYAMLFailure(
                stage: .memory, problem: "libyaml could not allocate its parser",
                problemMark: SourceMark(line: 1, column: 1), problemIndex: 0, context: nil,
                contextMark: SourceMark(line: 1, column: 1), problemOffset: 0, problemValue: -1)
        }
        var event = yaml_event_t()
        // On failure libyaml leaves the event zeroed: nothing to delete.
        guard yaml_parser_parse(parser, &event) != 0 else { throw failure() }
        defer { yaml_event_delete(&event) }
        return MarkedEvent(event: convert(event), mark: sourceMark(event.start_mark))
    }

    private func convert(_ event: yaml_event_t) -> Event {
        switch event.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT: return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT:
            return .alias(anchor: cString(event.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            var value: [UInt8] = []
            if let pointer = s.value {
                value = Array(UnsafeBufferPointer(start: pointer, count: Int(s.length)))
            }
            return .scalar(
                value: value, style: scalarStyle(s.style), tag: cString(s.tag), anchor: cString(s.anchor))
        case YAML_SEQUENCE_START_EVENT:
            let s = event.data.sequence_start
            return .sequenceStart(tag: cString(s.tag), anchor: cString(s.anchor))
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let m = event.data.mapping_start
            return .mappingStart(tag: cString(m.tag), anchor: cString(m.anchor))
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default:
            // YAML_NO_EVENT is never returned on success; treat it as the end.
            return .streamEnd
        }
    }

    private func sourceMark(_ mark: yaml_mark_t) -> SourceMark {
        min(SourceMark(line: Int(mark.line) + 1, column: Int(mark.column) + 1), endMark)
    }

    private func failure() -> LibYAMLFailure {
        let p = parser.pointee
        let stage: LibYAMLFailure.Stage =
            switch p.error {
            case YAML_MEMORY_ERROR: .memory
            case YAML_READER_ERROR: .reader
            case YAML_SCANNER_ERROR: .scanner
            case YAML_PARSER_ERROR: .parser
            default: .other
            }
        return LibYAMLFailure(
            stage: stage,
            problem: p.problem.map { String(cString: $0) } ?? "libyaml reported an unknown error",
            problemMark: sourceMark(p.problem_mark),
            problemIndex: Int(p.problem_mark.index),
            context: p.context.map { String(cString: $0) },
            contextMark: sourceMark(p.context_mark),
            problemOffset: Int(p.problem_offset),
            problemValue: Int(p.problem_value))
    }
}


private func cString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    pointer.map { String(cString: $0) }
}

private func scalarStyle(_ style: yaml_scalar_style_t) -> ScalarStyle {
    switch style {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
    case YAML_LITERAL_SCALAR_STYLE: .literal
    case YAML_FOLDED_SCALAR_STYLE: .folded
    default: .plain
    }
}
