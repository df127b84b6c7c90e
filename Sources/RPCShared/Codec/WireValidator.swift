internal import CProtobufC

/// Checks bytes against a message's schema before libprotobuf-c sees them.
///
/// libprotobuf-c recurses once per nesting level with no limit (a 34 KB input nested 10,000 deep overflows an
/// 8 MiB stack), does not validate UTF-8, and silently truncates a `string` at an embedded NUL. One linear pass
/// over the wire format, guided by the C descriptors, rejects all of that with a precise error. It follows
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
            switch UTF8Check.check(body) {
            case .valid: break
            case .invalid(let offset):
                throw error(.invalidUTF8, descriptor,
                            "field '\(String(cString: field.pointee.name))' is not valid UTF-8 (byte \(offset))")
            case .containsNUL:
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

/// UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), plus the NUL check
/// libprotobuf-c's C strings need.
enum UTF8Check {
    enum Result: Equatable { case valid, invalid(offset: Int), containsNUL }

    static func check(_ bytes: UnsafeRawBufferPointer) -> Result {
        var index = 0
        let count = bytes.count
        while index < count {
            // ASCII fast path, eight bytes at a time.
            while index + 8 <= count {
                let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                // A zero byte in the word: (w - 0x01..) & ~w & 0x80.. is non-zero iff some byte is 0.
                if (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0 { return .containsNUL }
                index += 8
            }
            guard index < count else { break }
            let lead = bytes[index]
            if lead < 0x80 {
                if lead == 0 { return .containsNUL }
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return .invalid(offset: index)
            }
            guard index + length <= count else { return .invalid(offset: index) }
            let second = bytes[index + 1]
            guard second >= lower && second <= upper else { return .invalid(offset: index) }
            for continuation in 2..<length where bytes[index + continuation] & 0xC0 != 0x80 {
                return .invalid(offset: index)
            }
            index += length
        }
        return .valid
    }
}
