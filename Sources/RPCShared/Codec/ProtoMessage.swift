import NIOCore

/// A protobuf message: a Swift value type whose wire encoding is done by libprotobuf-c.
///
/// Every type under `Generated/` conforms; nothing else should. Encoding goes Swift value → C struct tree in a
/// per-call arena → `protobuf_c_message_pack` straight into the destination; decoding goes bytes → checks the C
/// runtime does not make (nesting depth, UTF-8, embedded NUL) → `protobuf_c_message_unpack` into an arena →
/// Swift value. No C pointer outlives the call.
public protocol ProtoMessage: Sendable, Hashable {
    /// The full protobuf name, e.g. `aftersale.order.v1.Order`.
    static var protoMessageName: String { get }

    /// The schema's fields, for tools (`aftersale describe`).
    static var protoFields: [ProtoFieldInfo] { get }

    /// A message with every field at its default.
    init()

    /// Appends the binary encoding to `output`, sized exactly before it is packed.
    func serialize(into output: inout some ProtoOutput) throws

    /// Decodes the binary encoding; throws ``ProtoDecodingError`` for anything that is not a valid message.
    init(serializedBytes bytes: UnsafeRawBufferPointer) throws

    /// Writes the proto3 canonical JSON form.
    func encodeJSON(to json: inout JSONWriter)

    /// Reads the proto3 JSON form; `path` names this value in error messages (e.g. `lines[2]`).
    init(json: JSONValue, path: String) throws
}

extension ProtoMessage {
    /// The binary encoding as a new array.
    public func serializedBytes() throws -> [UInt8] {
        var bytes: [UInt8] = []
        try serialize(into: &bytes)
        return bytes
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { try Self(serializedBytes: $0) }
    }

    public init(serializedBytes buffer: ByteBuffer) throws {
        self = try buffer.withUnsafeReadableBytes { try Self(serializedBytes: $0) }
    }

    /// The proto3 canonical JSON form: fields at their default are omitted, unless `emitDefaults` (see
    /// ``JSONWriter``).
    public func jsonString(pretty: Bool = false, emitDefaults: Bool = false) -> String {
        var writer = JSONWriter(pretty: pretty, emitDefaults: emitDefaults)
        encodeJSON(to: &writer)
        return writer.result
    }

    /// Parses the proto3 JSON form; throws ``JSONDecodingError`` naming the offending path.
    public init(jsonString: String) throws {
        let value = try JSONParser.parse(jsonString)
        try self.init(json: value, path: Self.protoMessageName.split(separator: ".").last.map(String.init) ?? "message")
    }
}

/// A destination that a message can be packed into once its exact size is known.
public protocol ProtoOutput {
    /// Appends `count` bytes; `fill` writes all of them.
    mutating func appendProtoBytes(count: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void)
}

extension Array: ProtoOutput where Element == UInt8 {
    public mutating func appendProtoBytes(count: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) {
        if isEmpty {
            self = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                fill(UnsafeMutableRawBufferPointer(buffer))
                initialized = count
            }
        } else {
            let start = self.count
            append(contentsOf: repeatElement(0, count: count))
            withUnsafeMutableBytes { fill(UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
        }
    }
}

extension ByteBuffer: ProtoOutput {
    public mutating func appendProtoBytes(count: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: count) { buffer in
            fill(UnsafeMutableRawBufferPointer(rebasing: buffer[..<count]))
            return count
        }
    }
}

/// A protobuf enum: known values as cases, anything else kept as `unrecognized` so that it survives a round trip.
public protocol ProtoEnum: RawRepresentable, CaseIterable, Sendable, Hashable where RawValue == Int32 {
    init(rawValue: Int32)
    /// The value's name in the .proto file (its JSON form), or nil for an unrecognized number.
    var protoName: String? { get }
    init?(protoName: String)
}

/// Heap storage for a singular message field whose type contains itself (a Swift struct cannot).
public final class ProtoBox<Value: Sendable & Hashable>: Sendable, Hashable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
    public static func == (lhs: ProtoBox, rhs: ProtoBox) -> Bool { lhs === rhs || lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// One field of a message's schema, as `aftersale describe` shows it.
public struct ProtoFieldInfo: Sendable, Hashable {
    public var number: Int32
    public var name: String
    /// The type as the .proto spells it, e.g. `repeated aftersale.common.v1.Money`, `map<string, string>`.
    public var type: String

    public init(_ field: (number: Int32, name: String, type: String)) {
        number = field.number
        name = field.name
        type = field.type
    }
}
