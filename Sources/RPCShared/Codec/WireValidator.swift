internal import CProtobufC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks bytes against a message's schema before libprotobuf-c sees them.
///
/// libprotobuf-c recurses once per nesting level with no limit (a 34 KB input nested 10,000 deep overflows an
/// 8 MiB stack) and silently truncates a `string` at an embedded NUL. One linear pass over the wire format, guided
/// by the C descriptors, rejects both with a precise error (and truncation, bad tags and wire types). It does not
/// validate UTF-8: the conversion to Swift strings does that, rejecting as it copies. It follows
/// length-delimited fields that the schema says are messages (map entries included); unknown fields are skipped.
enum WireValidator {
    static func validate(_ bytes: UnsafeRawBufferPointer, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                         depth: Int) throws {
        var reader = WireReader(bytes: bytes)
        while !reader.isAtEnd {
            let tag = try reader.varint(descriptor)
            let number = tag >> 3
            guard number >= 1, number <= 0x1FFF_FFFF else {
                throw error(.invalidFieldNumber, descriptor, "field number \(number) is out of range")
            }
            switch tag & 7 {
            case 0: _ = try reader.varint(descriptor)
            case 1: try reader.skip(8, descriptor)
            case 5: try reader.skip(4, descriptor)
            case 2:
                let length = try reader.varint(descriptor)
                guard length <= UInt64(reader.remaining) else {
                    throw error(.truncated, descriptor, "field \(number) declares \(length) bytes but \(reader.remaining) remain")
                }
                let body = reader.take(Int(length))
                if let field = protobuf_c_message_descriptor_get_field(descriptor, UInt32(number)) {
                    try validateLengthDelimited(body, field: field, in: descriptor, depth: depth)
                }
            default:
                throw error(.invalidWireType, descriptor, "field \(number) has wire type \(tag & 7), which proto3 does not use")
            }
        }
    }

    private static func validateLengthDelimited(_ body: UnsafeRawBufferPointer, field: UnsafePointer<ProtobufCFieldDescriptor>,
                                                in descriptor: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int) throws {
        switch field.pointee.type {
        case PROTOBUF_C_TYPE_MESSAGE:
            guard depth < ProtoCodec.maxNestingDepth else {
                throw error(.nestingTooDeep, descriptor,
                            "field '\(String(cString: field.pointee.name))' nests messages deeper than \(ProtoCodec.maxNestingDepth) levels")
            }
            let sub = field.pointee.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
            try validate(body, sub, depth: depth + 1)
        case PROTOBUF_C_TYPE_STRING:
            // UTF-8 itself is checked when the Swift string is made (String(validatingCString:)), in the same pass.
            if let base = body.baseAddress, memchr(base, 0, body.count) != nil {
                throw error(.embeddedNUL, descriptor,
                            "field '\(String(cString: field.pointee.name))' contains a NUL character")
            }
        default:
            break
        }
    }

    static func error(_ kind: ProtoDecodingError.Kind, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                      _ detail: String) -> ProtoDecodingError {
        ProtoDecodingError(kind: kind, messageType: String(cString: descriptor.pointee.name), detail: detail)
    }
}

/// A cursor over protobuf wire bytes.
private struct WireReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    var isAtEnd: Bool { offset >= bytes.count }
    var remaining: Int { bytes.count - offset }

    mutating func varint(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            if shift == 63 && byte > 1 {
                throw WireValidator.error(.malformedVarint, descriptor, "a varint overflows 64 bits")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw WireValidator.error(.malformedVarint, descriptor, "a varint is longer than 10 bytes") }
        }
        throw WireValidator.error(.truncated, descriptor, "the input ends inside a varint")
    }

    mutating func skip(_ count: Int, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) throws {
        guard remaining >= count else {
            throw WireValidator.error(.truncated, descriptor, "the input ends inside a \(count)-byte value")
        }
        offset += count
    }

    mutating func take(_ count: Int) -> UnsafeRawBufferPointer {
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }
}
