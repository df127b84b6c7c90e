import Testing
@testable import RPCShared

@Suite struct JSONMappingTests {
    typealias AllTypes = TestingV1.AllTypes

    @Test func canonicalForm() throws {
        var value = AllTypes()
        value.fInt64 = -9_007_199_254_740_993        // beyond 2^53: must stay exact
        value.fUint64 = .max
        value.fBytes = [0xFB, 0xFF]
        value.fEnum = .blue
        value.fDouble = .nan
        value.fFloat = -.infinity
        value.rEnum = [.red, .init(rawValue: 42)]
        value.mInt32Int64 = [2: 20, -1: 10]
        value.choice = .oInt64(0)                     // a oneof member is written even at its default
        value.fTimestamp = .init(seconds: 0, nanos: 1000)
        #expect(value.jsonString() == #"{"fInt64":"-9007199254740993","fUint64":"18446744073709551615","fFloat":"-Infinity","fDouble":"NaN","fBytes":"+/8=","fEnum":"COLOR_BLUE","fTimestamp":"1970-01-01T00:00:00.000001Z","rEnum":["COLOR_RED",42],"mInt32Int64":{"-1":"10","2":"20"},"oInt64":"0"}"#)
        let back = try AllTypes(jsonString: value.jsonString())
        #expect(back.fInt64 == value.fInt64 && back.fUint64 == .max && back.fDouble.isNaN && back.choice == .oInt64(0))
    }

    /// The largest floats print so that a parser reading them as doubles stays within float range
    /// (Google's Python runtime rejects 3.4028235e+38), and every float still reads back exactly.
    @Test(arguments: [Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude, 0.1, 1e-45, 3.4028e38])
    func floatsStayInRangeAndRoundTrip(_ float: Float) throws {
        var value = TestingV1.AllTypes()
        value.fFloat = float
        let json = value.jsonString()
        let text = String(json.drop { $0 != ":" }.dropFirst().prefix { $0 != "}" })
        let wide = try #require(Double(text))
        #expect(wide.magnitude <= Double(Float.greatestFiniteMagnitude))
        #expect(try TestingV1.AllTypes(jsonString: json).fFloat == float)
        if float == 0.1 { #expect(text == "0.1") }      // ordinary floats keep their shortest form
    }

    @Test func acceptsEveryFormTheMappingAllows() throws {
        let value = try AllTypes(jsonString: #"""
            {"f_int32": "12", "fInt64": 34, "fUint32": 5e1, "fDouble": "2.5", "fFloat": 1, "fBool": true,
             "fBytes": "-_8", "fEnum": 2, "rEnum": ["COLOR_RED", 7], "fMessage": null, "fString": "\u00e9\ud83d\ude00",
             "fTimestamp": "2026-11-21T18:30:00+02:00"}
            """#)
        #expect(value.fInt32 == 12 && value.fInt64 == 34 && value.fUint32 == 50 && value.fDouble == 2.5 && value.fFloat == 1)
        #expect(value.fBytes == [0xFB, 0xFF] && value.fEnum == .green && value.rEnum == [.red, .init(rawValue: 7)])
        #expect(value.fString == "é😀" && value.fMessage == nil)
        #expect(value.fTimestamp == .init(seconds: 1_795_278_600, nanos: 0))
    }

    @Test(arguments: [
        (#"{"fInt32": 2147483648}"#, "AllTypes.fInt32: '2147483648' is not a valid Int32"),
        (#"{"fInt32": 1.5}"#, "AllTypes.fInt32: '1.5' is not a valid Int32"),
        (#"{"fUint64": -1}"#, "AllTypes.fUint64: '-1' is not a valid UInt64"),
        (#"{"fString": 5}"#, "AllTypes.fString: expected a string, found a number"),
        (#"{"fEnum": "PURPLE"}"#, "AllTypes.fEnum: 'PURPLE' is not a value of Color"),
        (#"{"nope": 1}"#, "AllTypes: unknown field 'nope'"),
        (#"{"fInt32": 1, "f_int32": 2}"#, "AllTypes: duplicate key"),
        (#"{"oString": "a", "oInt64": "1"}"#, "AllTypes: more than one field of oneof 'choice' is set"),
        (#"{"fBytes": "!!"}"#, "AllTypes.fBytes: invalid base64"),
        (#"{"rInt32": [1, null]}"#, "AllTypes.rInt32[1]: null is not allowed"),
        (#"{"fMessage": {"a": "x"}}"#, "AllTypes.fMessage.a: 'x' is not a valid Int32"),
        (#"{"mInt32Int64": {"k": "1"}}"#, "AllTypes.mInt32Int64: 'k' is not a valid map key"),
        (#"{"fTimestamp": "2026-02-30T00:00:00Z"}"#, "AllTypes.fTimestamp: '2026-02-30T00:00:00Z' is not an RFC 3339"),
        (#"[1]"#, "AllTypes: expected an object, found an array"),
        (#"{"fInt32": 1"#, "JSON byte 12: unterminated object"),
        (#"{"a" 1}"#, "JSON byte 5: expected ':' after a key"),
        (#"{"fString": "\ud800"}"#, "unpaired surrogate"),
        ("{\"fString\": \"a\u{1}\"}", "control character in a string"),
        (#"{} x"#, "unexpected text after the JSON value"),
        (#"{"fInt32": 01}"#, "expected ',' or '}'"),
    ])
    func rejectsWithAPreciseMessage(_ json: String, _ expected: String) {
        do {
            _ = try AllTypes(jsonString: json)
            Issue.record("accepted \(json)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }

    @Test func nestingIsCapped() {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(throws: JSONDecodingError.self) { try JSONParser.parse(deep) }
        #expect((try? JSONParser.parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100))) != nil)
    }

    @Test(arguments: [
        (Int64(0), Int32(0), "1970-01-01T00:00:00Z"),
        (-1, 999_999_999, "1969-12-31T23:59:59.999999999Z"),
        (951_782_400, 120_000_000, "2000-02-29T00:00:00.120Z"),
        (253_402_300_799, 0, "9999-12-31T23:59:59Z"),
        (-62_135_596_800, 0, "0001-01-01T00:00:00Z"),
    ])
    func rfc3339(_ seconds: Int64, _ nanos: Int32, _ text: String) {
        #expect(RFC3339.format(seconds: seconds, nanos: nanos)! == text)
        #expect(RFC3339.parse(text)! == (seconds, nanos))
    }

    @Test func timestampsRFC3339CannotExpressKeepTheirValue() throws {
        for (seconds, nanos) in [(Int64.max, Int32(0)), (0, -1), (253_402_300_800, 0), (-62_135_596_801, 5)] {
            let value = CommonV1.Timestamp(seconds: seconds, nanos: nanos)
            #expect(!value.jsonString().hasPrefix("\""))
            #expect(try CommonV1.Timestamp(jsonString: value.jsonString()) == value)
        }
    }

    @Test func base64() {
        for length in 0..<20 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.decode("YWJj") == Array("abc".utf8))
        #expect(Base64.decode("YWI") == Array("ab".utf8))
        #expect(Base64.decode("Y") == nil)
        #expect(Base64.decode("YW=J") == nil)
    }
}

@Suite struct JSONValueWritingTests {
    @Test func writesAParsedDocumentCompactWithSortedKeysAtEveryLevel() throws {
        let document = try JSONParser.parse(#"{ "b": [1, {"d": 2.50, "c": "x\"y"}], "a": null, "é": true }"#)
        var sorted = JSONWriter()
        sorted.value(document, sortedKeys: true)
        #expect(sorted.result == #"{"a":null,"b":[1,{"c":"x\"y","d":2.50}],"é":true}"#)
        var asRead = JSONWriter()
        asRead.value(document, sortedKeys: false)
        #expect(asRead.result == #"{"b":[1,{"d":2.50,"c":"x\"y"}],"a":null,"é":true}"#)
    }
}
