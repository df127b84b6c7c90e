import Testing
@testable import RPCShared

/// Hostile and broken bytes: every case throws a typed error before libprotobuf-c can misbehave.
@Suite(.serialized) struct MalformedInputTests {
    typealias AllTypes = TestingV1.AllTypes
    typealias Recursive = TestingV1.Recursive

    static func recursive(depth: Int) -> [UInt8] {
        var message: [UInt8] = []
        for _ in 0..<depth {
            var prefix: [UInt8] = [0x0A]
            var length = message.count
            repeat {
                prefix.append(UInt8(length & 0x7F) | (length > 0x7F ? 0x80 : 0))
                length >>= 7
            } while length > 0
            message = prefix + message
        }
        return message
    }

    func kind(_ bytes: [UInt8], as type: any ProtoMessage.Type = AllTypes.self) -> ProtoDecodingError.Kind? {
        do {
            _ = try type.init(serializedBytes: bytes)
            return nil
        } catch let error as ProtoDecodingError {
            return error.kind
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    @Test func tenThousandLevelsDeepIsRefusedNotACrash() {
        let bytes = Self.recursive(depth: 10_000)
        #expect(bytes.count > 30_000)
        #expect(kind(bytes, as: Recursive.self) == .nestingTooDeep)
    }

    @Test func nestingLimitIsExactlyOneHundred() throws {
        #expect(kind(Self.recursive(depth: 99), as: Recursive.self) == nil)   // 99 children + the top level
        #expect(kind(Self.recursive(depth: 100), as: Recursive.self) == .nestingTooDeep)
        var message = Recursive()
        for level in 0..<98 { message = Recursive(child: message, depth: Int32(level)) }
        #expect(try Recursive(serializedBytes: message.serializedBytes()) == message)
    }

    @Test func deepNestingThroughRepeatedAndMapFieldsIsRefused() {
        // children (field 3) instead of child (field 1)
        var deep: [UInt8] = []
        for _ in 0..<200 {
            var prefix: [UInt8] = [0x1A]
            var length = deep.count
            repeat { prefix.append(UInt8(length & 0x7F) | (length > 0x7F ? 0x80 : 0)); length >>= 7 } while length > 0
            deep = prefix + deep
        }
        #expect(kind(deep, as: Recursive.self) == .nestingTooDeep)
    }

    @Test func truncatedInputs() throws {
        var value = AllTypes()
        value.fString = "a string long enough"
        value.fInt64 = -1
        value.fFixed64 = 7
        value.rMessage = [.init(a: 1, b: "x", colors: [.red])]
        let bytes = try value.serializedBytes()
        for end in 0..<bytes.count {
            // Every prefix either decodes (it ends on a field boundary) or throws; it never crashes.
            let prefix = Array(bytes[..<end])
            if let decoded = try? AllTypes(serializedBytes: prefix) { #expect(decoded != value) }
        }
        #expect(kind([0x08]) == .truncated)                       // tag, no varint
        #expect(kind([0x41, 1, 2, 3]) == .truncated)              // fixed64 with 3 bytes
        #expect(kind([0x72, 0x05, 0x61]) == .truncated)           // string declares 5 bytes, has 1
        #expect(kind([0x72, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]) == .truncated)  // declares 4 GiB
    }

    @Test func malformedTagsAndWireTypes() {
        #expect(kind([0x00, 0x00]) == .invalidFieldNumber)        // field 0
        #expect(kind([0x0B]) == .invalidWireType)                 // start group
        #expect(kind([0x0C]) == .invalidWireType)                 // end group
        #expect(kind([0x0E]) == .invalidWireType)                 // wire type 6
        #expect(kind([0x08] + [UInt8](repeating: 0xFF, count: 10) + [0x01]) == .malformedVarint)
        #expect(kind([0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]) == .malformedVarint)
        #expect(kind([0x0D, 0, 0, 0, 0]) == .rejected)            // f_int32 sent as fixed32
    }

    @Test func invalidUTF8AndEmbeddedNUL() throws {
        #expect(kind([0x72, 0x02, 0xC3, 0x28]) == .invalidUTF8)   // bad continuation
        #expect(kind([0x72, 0x02, 0xC0, 0x80]) == .invalidUTF8)   // overlong NUL
        #expect(kind([0x72, 0x03, 0xED, 0xA0, 0x80]) == .invalidUTF8)  // surrogate
        #expect(kind([0x72, 0x04, 0xF4, 0x90, 0x80, 0x80]) == .invalidUTF8)  // above U+10FFFF
        #expect(kind([0x72, 0x03, 0x61, 0x00, 0x62]) == .embeddedNUL)
        #expect(kind([0xE2, 0x02, 0x01, 0xFF]) == .invalidUTF8)   // repeated string r_string (44)
        // bytes fields carry anything, NUL included
        #expect(try AllTypes(serializedBytes: [0x7A, 0x03, 0x00, 0xFF, 0x00]).fBytes == [0, 0xFF, 0])
        // a string with NUL cannot be encoded either: an error, not a silent truncation
        #expect(throws: ProtoEncodingError.self) { try AllTypes(fString: "a\u{0}b").serializedBytes() }
        #expect(throws: ProtoEncodingError.self) { try AllTypes(mStringString: ["k": "v\u{0}"]).serializedBytes() }
        #expect(try AllTypes(serializedBytes: Array("r\u{6}日本".utf8)).fString == "日本")
    }

    @Test func unknownFieldsAreSkipped() throws {
        // field 999 (varint) and field 1000 (length-delimited) are not in the schema
        let bytes: [UInt8] = [0xB8, 0x3E, 0x01, 0xC2, 0x3E, 0x02, 0xFF, 0xFF, 0x08, 0x07]
        #expect(try AllTypes(serializedBytes: bytes).fInt32 == 7)
    }

    @Test func randomBytesNeverCrash() {
        var generator = ArbitraryGenerator(seed: 42)
        var decoded = 0
        for _ in 0..<20_000 {
            let bytes = (0..<generator.int(0...64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if (try? AllTypes(serializedBytes: bytes)) != nil { decoded += 1 }
        }
        #expect(decoded < 20_000)
    }

    @Test func mutatedValidMessagesNeverCrash() throws {
        var generator = ArbitraryGenerator(seed: 7)
        for _ in 0..<300 {
            var bytes = try AllTypes.arbitrary(&generator, depth: 0).serializedBytes()
            guard !bytes.isEmpty else { continue }
            for _ in 0..<8 {
                bytes[generator.int(0...(bytes.count - 1))] = UInt8(truncatingIfNeeded: generator.next())
                _ = try? AllTypes(serializedBytes: bytes)
            }
        }
    }
}
