extension LibYAMLFailure {
    /// A readable error at the most useful position.
    ///
    /// Mostly libyaml's `problem` at `problem_mark`, with its `context` ("while
    /// parsing a block mapping") and where that started. Special cases:
    /// - reader errors carry no mark, only a byte offset, which is converted;
    /// - an unterminated quoted scalar is reported at its opening quote (libyaml
    ///   reports the end of the file);
    /// - a tab where indentation is expected is named as such;
    /// - a few common problems get a hint.
    func yamlError(file: String, input: InputText) -> YAMLError {
        var mark = problemMark
        var message = problem

        switch (stage, problem, context) {
        case (.memory, _, _):
            message = "libyaml ran out of memory"
        case (.reader, _, _):
            mark = input.mark(atByteOffset: problemOffset)
            if problemValue >= 0 { message += " (\(uPlus(UInt32(problemValue))))" }
        case (_, "found unexpected end of stream", "while scanning a quoted scalar"?):
            mark = contextMark
            message = "unterminated quoted string: the file ends before its closing quote"
        case (_, "found character that cannot start any token", _):
            let character = input.character(atIndex: problemIndex)
            if character == "\t" {
                message = "tab character where indentation or a token is expected; indent with spaces, not tabs"
            } else if let character {
                message = "found character \(quoted(String(character))) that cannot start any token"
                if character == "@" || character == "`" || character == "%" {
                    message += "; quote the value"
                }
            }
        case (_, "found a tab character that violates indentation", _):
            message = "tab character in indentation (\(context ?? "while scanning")"
            message += contextMark != problemMark ? " that starts at \(contextMark))" : ")"
            message += "; indent with spaces, not tabs"
        default:
            if let context {
                message += contextMark != problemMark ? " (\(context) that starts at \(contextMark))" : " (\(context))"
            }
            switch problem {
            case "did not find expected key", "did not find expected '-' indicator":
                message += "; check the indentation"
            case "mapping values are not allowed in this context":
                message += "; check the indentation, or quote a value that contains ': '"
            case "could not find expected ':'":
                message += "; a key needs a ':' after it on the same line"
            default: break
            }
        }
        return YAMLError(file: file, mark: mark, message: message)
    }
}
