import GRPCCore
import NIOCore
import RPCShared

/// GRPCCore's serializer for our messages: the response, whatever its type, encoded by our libprotobuf-c codec.
struct ProtoMessageSerializer: MessageSerializer {
    typealias Message = any ProtoMessage

    func serialize<Bytes: GRPCContiguousBytes>(_ message: any ProtoMessage) throws -> Bytes {
        Bytes(try message.serializedBytes())
    }
}

/// GRPCCore's deserializer for our handlers: the request stays bytes; the type-erased handler decodes it with our
/// codec, so an undecodable request gets the same INVALID_ARGUMENT as on the native transport.
struct RawRequestDeserializer: MessageDeserializer {
    typealias Message = ByteBuffer

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> ByteBuffer {
        serializedMessageBytes.withUnsafeBytes { ByteBuffer(bytes: $0) }
    }
}
