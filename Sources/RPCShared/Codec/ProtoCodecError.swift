/// Why bytes could not be decoded as a message. Thrown before any partial value is produced.
public struct ProtoDecodingError: Error, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The input ends inside a tag, a varint, a fixed-width value or a length-delimited field.
        case truncated
        /// A varint longer than 10 bytes.
        case malformedVarint
        /// Field number 0, or above 2^29 − 1.
        case invalidFieldNumber
        /// A wire type protobuf does not define, or a group (proto3 has none).
        case invalidWireType
        /// A `string` field that is not UTF-8.
        case invalidUTF8
        /// A `string` field holding a NUL byte, which libprotobuf-c's `char *` strings cannot carry.
        case embeddedNUL
        /// Sub-messages nested deeper than ``ProtoCodec/maxNestingDepth``.
        case nestingTooDeep
        /// libprotobuf-c refused the bytes (e.g. a field's wire type does not match the schema).
        case rejected
    }

    public var kind: Kind
    /// The full name of the message being decoded.
    public var messageType: String
    public var detail: String

    public var description: String { "cannot decode \(messageType): \(detail)" }
}

/// Why a message could not be encoded.
public struct ProtoEncodingError: Error, Hashable, CustomStringConvertible {
    /// The proto name of the offending field.
    public var field: String
    public var detail: String
    public var description: String { "cannot encode field '\(field)': \(detail)" }
}
