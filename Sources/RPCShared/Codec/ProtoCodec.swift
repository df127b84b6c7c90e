internal import CProtobufC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the generated code knows about a message's C side. Internal: no C type leaves this module.
protocol CProtoMessage: ProtoMessage {
    associatedtype CStruct
    static var cDescriptor: UnsafePointer<ProtobufCMessageDescriptor> { get }
    static func cInit(_ c: UnsafeMutablePointer<CStruct>)
    /// Fills an initialised C struct; strings, bytes, arrays and sub-messages are allocated in `arena`.
    func cWrite(_ c: UnsafeMutablePointer<CStruct>, _ arena: inout CArena) throws
    /// Reads a C struct produced by `protobuf_c_message_unpack` (after ``WireValidator`` accepted its bytes);
    /// throws on a string that is not UTF-8.
    init(cRead c: UnsafePointer<CStruct>) throws
}

/// Encoding and decoding through libprotobuf-c, and the helpers the generated conversions call.
enum ProtoCodec {
    /// Sub-messages may nest this deep (the top-level message is depth 1). libprotobuf-c recurses without limit
    /// and overflows the stack on deep inputs, so deeper input is refused before it reaches the C code.
    static let maxNestingDepth = 100

    static func encode<M: CProtoMessage>(_ message: M, into output: inout some ProtoOutput) throws {
        try CArena.with { arena in
            let c = arena.allocate(M.CStruct.self)
            M.cInit(c)
            try message.cWrite(c, &arena)
            let base = UnsafeMutableRawPointer(c).assumingMemoryBound(to: ProtobufCMessage.self)
            let size = protobuf_c_message_get_packed_size(base)
            guard size > 0 else { return }
            output.appendProtoBytes(count: size) { buffer in
                let written = protobuf_c_message_pack(base, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
                precondition(written == size, "libprotobuf-c packed \(written) bytes, sized \(size)")
            }
        }
    }

    static func decode<M: CProtoMessage>(_ bytes: UnsafeRawBufferPointer) throws -> M {
        try WireValidator.validate(bytes, M.cDescriptor, depth: 1)
        return try CArena.with { arena in
            try withUnsafeMutablePointer(to: &arena) { arenaPointer in
                var allocator = CArena.allocator(for: arenaPointer)
                let input = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? emptyInput
                guard let unpacked = protobuf_c_message_unpack(M.cDescriptor, &allocator, bytes.count, input) else {
                    throw ProtoDecodingError(kind: .rejected, messageType: M.protoMessageName,
                                             detail: "libprotobuf-c rejected the bytes (a field's wire type does not match the schema)")
                }
                // The tree lives in the arena: no protobuf_c_message_free_unpacked needed.
                do {
                    return try M(cRead: UnsafeRawPointer(unpacked).assumingMemoryBound(to: M.CStruct.self))
                } catch let error as InvalidUTF8 {
                    throw ProtoDecodingError(kind: .invalidUTF8, messageType: M.protoMessageName,
                                             detail: "field '\(error.field)' is not valid UTF-8")
                }
            }
        }
    }

    /// The descriptor a message's `__init` function installs (the C globals themselves do not import safely).
    static func descriptor<T>(of initialize: (UnsafeMutablePointer<T>?) -> Void) -> UnsafePointer<ProtobufCMessageDescriptor> {
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.stride, alignment: 16)
        defer { scratch.deallocate() }
        initialize(scratch.bindMemory(to: T.self, capacity: 1))
        return scratch.load(as: ProtobufCMessage.self).descriptor
    }

    nonisolated(unsafe) private static let emptyInput: UnsafePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return UnsafePointer(pointer)
    }()

    // MARK: C → Swift

    /// Invalid UTF-8 ends the decode (`String(cString:)` would silently repair it).
    static func string(_ pointer: UnsafeMutablePointer<CChar>?, field: StaticString) throws -> String {
        guard let pointer, pointer.pointee != 0 else { return "" }
        guard let string = String(validatingCString: pointer) else { throw InvalidUTF8(field: field) }
        return string
    }

    /// Thrown from deep inside a conversion; `decode` turns it into a ProtoDecodingError naming the message.
    struct InvalidUTF8: Error {
        let field: StaticString
    }

    static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let base = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: base, count: data.len))
    }

    static func scalars<T>(_ pointer: UnsafeMutablePointer<T>?, _ count: Int) -> [T] {
        guard count > 0, let pointer else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    static func bools(_ pointer: UnsafeMutablePointer<protobuf_c_boolean>?, _ count: Int) -> [Bool] {
        guard count > 0, let pointer else { return [] }
        return UnsafeBufferPointer(start: pointer, count: count).map { $0 != 0 }
    }

    static func strings(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int,
                        field: StaticString) throws -> [String] {
        guard count > 0, let pointer else { return [] }
        return try UnsafeBufferPointer(start: pointer, count: count).map { try string($0, field: field) }
    }

    static func byteArrays(_ pointer: UnsafeMutablePointer<ProtobufCBinaryData>?, _ count: Int) -> [[UInt8]] {
        guard count > 0, let pointer else { return [] }
        return UnsafeBufferPointer(start: pointer, count: count).map { bytes($0) }
    }

    /// C enums are int-sized (protoc-c forces it), so their storage reads as Int32.
    static func enums<E: ProtoEnum, C>(_ pointer: UnsafeMutablePointer<C>?, _ count: Int) -> [E] {
        guard count > 0, let pointer else { return [] }
        precondition(MemoryLayout<C>.size == 4)
        let raw = UnsafeRawPointer(pointer)
        return (0..<count).map { E(rawValue: raw.load(fromByteOffset: $0 * 4, as: Int32.self)) }
    }

    static func messages<M: CProtoMessage>(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?>?, _ count: Int) throws -> [M] {
        guard count > 0, let pointer else { return [] }
        return try UnsafeBufferPointer(start: pointer, count: count).map { element in
            try element.map { try M(cRead: $0) } ?? M()
        }
    }

    /// Map entries in wire order; a key that appears twice keeps its last value, as protobuf specifies.
    static func map<Entry, K: Hashable, V>(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<Entry>?>?, _ count: Int,
                                          _ read: (Entry) throws -> (K, V)) throws -> [K: V] {
        guard count > 0, let pointer else { return [:] }
        var result = [K: V](minimumCapacity: count)
        for element in UnsafeBufferPointer(start: pointer, count: count) {
            guard let element else { continue }
            let (key, value) = try read(element.pointee)
            result[key] = value
        }
        return result
    }
}

// MARK: Swift → C (allocations in the call's arena)

extension CArena {
    nonisolated(unsafe) private static let emptyCString: UnsafeMutablePointer<CChar> = {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return pointer
    }()

    mutating func string(_ value: String, field: StaticString) throws -> UnsafeMutablePointer<CChar> {
        var value = value
        let count = value.utf8.count
        guard count > 0 else { return Self.emptyCString }
        let destination = allocate(byteCount: count + 1)
        value.withUTF8 { utf8 in destination.copyMemory(from: utf8.baseAddress!, byteCount: count) }
        destination.storeBytes(of: 0, toByteOffset: count, as: UInt8.self)
        if memchr(destination, 0, count) != nil {
            throw ProtoEncodingError(field: "\(field)", detail: "contains a NUL character, which libprotobuf-c cannot carry")
        }
        return destination.assumingMemoryBound(to: CChar.self)
    }

    mutating func bytes(_ value: [UInt8]) -> ProtobufCBinaryData {
        guard !value.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let destination = allocate(byteCount: value.count)
        value.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return ProtobufCBinaryData(len: value.count, data: destination.assumingMemoryBound(to: UInt8.self))
    }

    mutating func scalars<T>(_ values: [T]) -> UnsafeMutablePointer<T>? {
        guard !values.isEmpty else { return nil }
        let destination = allocate(byteCount: values.count * MemoryLayout<T>.stride)
        values.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return destination.bindMemory(to: T.self, capacity: values.count)
    }

    mutating func bools(_ values: [Bool]) -> UnsafeMutablePointer<protobuf_c_boolean>? {
        guard !values.isEmpty else { return nil }
        let destination = allocate(protobuf_c_boolean.self, count: values.count)
        for (index, value) in values.enumerated() { destination[index] = value ? 1 : 0 }
        return destination
    }

    mutating func enums<E: ProtoEnum, C>(_ values: [E]) -> UnsafeMutablePointer<C>? {
        guard !values.isEmpty else { return nil }
        precondition(MemoryLayout<C>.size == 4)
        let destination = allocate(byteCount: values.count * 4)
        for (index, value) in values.enumerated() {
            destination.storeBytes(of: value.rawValue, toByteOffset: index * 4, as: Int32.self)
        }
        return destination.bindMemory(to: C.self, capacity: values.count)
    }

    mutating func strings(_ values: [String], field: StaticString) throws -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        guard !values.isEmpty else { return nil }
        let destination = allocate(UnsafeMutablePointer<CChar>?.self, count: values.count)
        for (index, value) in values.enumerated() { destination[index] = try string(value, field: field) }
        return destination
    }

    mutating func byteArrays(_ values: [[UInt8]]) -> UnsafeMutablePointer<ProtobufCBinaryData>? {
        guard !values.isEmpty else { return nil }
        let destination = allocate(ProtobufCBinaryData.self, count: values.count)
        for (index, value) in values.enumerated() { destination[index] = bytes(value) }
        return destination
    }

    mutating func message<M: CProtoMessage>(_ value: M) throws -> UnsafeMutablePointer<M.CStruct> {
        let c = allocate(M.CStruct.self)
        M.cInit(c)
        try value.cWrite(c, &self)
        return c
    }

    mutating func messages<M: CProtoMessage>(_ values: [M]) throws -> UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?>? {
        guard !values.isEmpty else { return nil }
        let destination = allocate(UnsafeMutablePointer<M.CStruct>?.self, count: values.count)
        for (index, value) in values.enumerated() { destination[index] = try message(value) }
        return destination
    }

    /// Map entries sorted by key, so that equal maps always encode to equal bytes (idempotency checks compare them).
    mutating func mapEntries<K: ProtoMapKey, V, Entry>(
        _ values: [K: V], _ initialize: (UnsafeMutablePointer<Entry>?) -> Void,
        _ write: (K, V, UnsafeMutablePointer<Entry>, inout CArena) throws -> Void
    ) throws -> UnsafeMutablePointer<UnsafeMutablePointer<Entry>?>? {
        guard !values.isEmpty else { return nil }
        let destination = allocate(UnsafeMutablePointer<Entry>?.self, count: values.count)
        for (index, element) in values.sorted(by: { K.protoOrder($0.key, $1.key) }).enumerated() {
            let entry = allocate(Entry.self)
            initialize(entry)
            try write(element.key, element.value, entry, &self)
            destination[index] = entry
        }
        return destination
    }

    private mutating func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        allocate(byteCount: count * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: count)
    }
}

/// The key types protobuf allows in a map (integers, bool, string), with a total order for deterministic output.
public protocol ProtoMapKey: Hashable, Sendable {
    static func protoOrder(_ lhs: Self, _ rhs: Self) -> Bool
    /// The key's JSON form: protobuf writes every map key as a JSON string.
    var jsonKey: String { get }
    init?(jsonKey: String)
}

extension ProtoMapKey where Self: Comparable {
    public static func protoOrder(_ lhs: Self, _ rhs: Self) -> Bool { lhs < rhs }
}

extension ProtoMapKey where Self: FixedWidthInteger {
    public var jsonKey: String { String(self) }
    public init?(jsonKey: String) { self.init(jsonKey) }
}

extension Int32: ProtoMapKey {}
extension Int64: ProtoMapKey {}
extension UInt32: ProtoMapKey {}
extension UInt64: ProtoMapKey {}

extension String: ProtoMapKey {
    /// Byte order of the UTF-8, as Google's deterministic serializers sort string keys (Swift's `<` compares
    /// canonically equivalent strings as equal and would order them differently).
    public static func protoOrder(_ lhs: String, _ rhs: String) -> Bool { lhs.utf8.lexicographicallyPrecedes(rhs.utf8) }
    public var jsonKey: String { self }
    public init?(jsonKey: String) { self = jsonKey }
}

extension Bool: ProtoMapKey {
    public static func protoOrder(_ lhs: Bool, _ rhs: Bool) -> Bool { !lhs && rhs }
    public var jsonKey: String { self ? "true" : "false" }
    public init?(jsonKey: String) {
        switch jsonKey {
        case "true": self = true
        case "false": self = false
        default: return nil
        }
    }
}
