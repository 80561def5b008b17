import PortcullisJournal
import Testing

@Suite struct FieldNameTests {
    @Test(arguments: ["PORTCULLIS_GENERATION", "PORTCULLIS_A", "PORTCULLIS_RULE_2", "PORTCULLIS__X"])
    func acceptsPortcullisNames(_ name: String) {
        #expect(FieldName(name)?.rawValue == name)
    }

    @Test(arguments: [
        "", "PORTCULLIS", "GENERATION", "_PORTCULLIS_GENERATION", "portcullis_generation",
        "PORTCULLIS_generation", "PORTCULLIS_RULE-ID", "PORTCULLIS_RULE ID", "PORTCULLIS_É",
        "PORTCULLIS_A=B", "MESSAGE", "PRIORITY", "_PID",
    ])
    func refusesOtherNames(_ name: String) {
        #expect(FieldName(name) == nil)
    }

    @Test func lengthLimitIsJournaldsSixtyFour() {
        let longest = FieldName.prefix + String(repeating: "X", count: 64 - FieldName.prefix.count)
        #expect(FieldName(longest) != nil)
        #expect(FieldName(longest + "X") == nil)
    }

    @Test func everyKnownNameIsValidAndDistinct() {
        for name in FieldName.known {
            #expect(FieldName.isValid(name.rawValue), "\(name)")
        }
        #expect(Set(FieldName.known).count == FieldName.known.count)
    }
}
