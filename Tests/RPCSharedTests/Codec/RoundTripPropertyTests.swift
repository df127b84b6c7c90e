import Testing
@testable import RPCShared

/// Every generated message type, random values: binary and JSON round trips give back the same value, and
/// re-encoding is stable byte for byte (maps are written in key order).
@Suite(.serialized) struct RoundTripPropertyTests {
    static let valuesPerType = 40

    @Test(arguments: Arbitrary.allMessages.map { TypeBox($0) })
    func binaryAndJSONRoundTrip(_ box: TypeBox) throws {
        try box.check(seed: UInt64(abs(box.name.hashValue % 10_000)), count: Self.valuesPerType)
    }

    @Test func everyGeneratedTypeIsCovered() {
        #expect(Arbitrary.allMessages.count == ProtoRegistry.messageTypes.count)
        #expect(Arbitrary.allMessages.count > 20)
    }
}

/// A message type as a test argument (its name shows in the test report).
struct TypeBox: CustomTestStringConvertible, Sendable {
    let type: any ArbitraryMessage.Type
    init(_ type: any ArbitraryMessage.Type) { self.type = type }
    var name: String { type.protoMessageName }
    var testDescription: String { name }

    func check(seed: UInt64, count: Int) throws {
        try type.checkRoundTrips(seed: seed, count: count)
    }
}

extension ArbitraryMessage {
    static func checkRoundTrips(seed: UInt64, count: Int) throws {
        typealias M = Self
        var generator = ArbitraryGenerator(seed: seed)
        for _ in 0..<count {
            let value = M.arbitrary(&generator, depth: 0)
            let bytes = try value.serializedBytes()
            let decoded = try M(serializedBytes: bytes)
            #expect(decoded == value, "binary round trip of \(M.protoMessageName)")
            #expect(try decoded.serializedBytes() == bytes, "re-encoding \(M.protoMessageName) is not stable")

            let json = value.jsonString()
            let fromJSON = try M(jsonString: json)
            #expect(fromJSON == value, "JSON round trip of \(M.protoMessageName): \(json.prefix(300))")
            #expect(try M(jsonString: value.jsonString(pretty: true)) == value)
        }
    }
}
