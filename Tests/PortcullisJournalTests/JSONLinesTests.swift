import Foundation
import Glibc
import PortcullisJournal
import Testing

@Suite struct JSONLinesTests {
    @Test(arguments: [
        ("plain", #""plain""#),
        (#"say "hi""#, #""say \"hi\"""#),
        (#"C:\dir\"#, #""C:\\dir\\""#),
        ("a\nb\rc\td", #""a\nb\rc\td""#),
        ("\u{08}\u{0C}", #""\b\f""#),
        ("\u{00}\u{01}\u{1B}\u{1F}\u{7F}", #""\u0000\u0001\u001b\u001f\u007f""#),
        ("é ü 日本 🚫", #""é ü 日本 🚫""#),
        ("/", #""/""#),
    ])
    func escapes(_ text: String, _ expected: String) {
        #expect(JSONString.quoted(text) == expected)
    }

    /// Whatever the text, a JSON parser reads back exactly that text.
    @Test func roundTripsThroughJSONSerialization() throws {
        var all = (0..<0x80).map { Character(Unicode.Scalar($0)!) }.map(String.init).joined()
        all += "é\u{2028}\u{2029}\u{FEFF}😀\"\\"
        let parsed = try JSONSerialization.jsonObject(
            with: Data(JSONString.quoted(all).utf8), options: [.fragmentsAllowed])
        #expect(parsed as? String == all)
    }

    @Test func oneObjectPerLineInAFixedOrder() throws {
        let entry = JournalEntry(
            "file \"a\"\nline two", priority: .error, messageID: .policyFileError,
            fields: [(.file, "/etc/policies.d/a.yaml"), (.line, "8"), (.column, "3")])
        let line = JSONLinesSink.line(entry)
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false)
        #expect(
            line
                == #"{"MESSAGE":"file \"a\"\nline two","PRIORITY":"3","MESSAGE_ID":"9722b40434e5468f9c3c36f90bfe71a9","#
                + #""PORTCULLIS_FILE":"/etc/policies.d/a.yaml","PORTCULLIS_LINE":"8","PORTCULLIS_COLUMN":"3"}"#
                + "\n")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["MESSAGE"] == "file \"a\"\nline two")
        #expect(object.count == 6)
    }

    @Test func writesWholeLinesToItsDescriptor() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let sink = JSONLinesSink(fileDescriptor: .init(rawValue: fds[1]))
        sink.write(JournalEntry("one", priority: .info, messageID: .daemonStarted))
        sink.write(JournalEntry("two", priority: .warning, messageID: .lastGoodKept))
        close(fds[1])
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = read(fds[0], &bytes, bytes.count)
        let lines = String(decoding: bytes[..<max(n, 0)], as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix(#"{"MESSAGE":"one","PRIORITY":"6","#) == true)
        #expect(lines.last?.hasPrefix(#"{"MESSAGE":"two","PRIORITY":"4","#) == true)
    }

    @Test func autoPicksJournaldOnlyWhenItIsThere() {
        #expect(LogTarget.auto.resolved(journalAvailable: true) == .journal)
        #expect(LogTarget.auto.resolved(journalAvailable: false) == .json)
        #expect(LogTarget.json.resolved(journalAvailable: true) == .json)
        #expect(LogTarget.journal.resolved(journalAvailable: false) == .journal)
    }
}
