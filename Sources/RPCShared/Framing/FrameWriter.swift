import NIOCore

/// Writes frames. The envelope (`meta`) and the payload message are packed straight into the outgoing buffer
/// after a reserved header, whose lengths are filled in afterwards: one buffer, no intermediate copies.
public enum FrameWriter {
    public static func write(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32,
                             meta: (some ProtoMessage)?, payload: (any ProtoMessage)?,
                             into buffer: inout ByteBuffer) throws {
        let start = buffer.writerIndex
        buffer.writeRepeatingByte(0, count: WireProtocol.headerSize)
        if let meta { try meta.serialize(into: &buffer) }
        let metaLength = buffer.writerIndex - start - WireProtocol.headerSize
        if let payload { try payload.serialize(into: &buffer) }
        try patchHeader(type, flags, streamID, start: start, metaLength: metaLength, buffer: &buffer)
    }

    /// A frame whose payload is already encoded (e.g. relayed bytes).
    public static func write(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32,
                             meta: (some ProtoMessage)?, rawPayload: ByteBuffer, into buffer: inout ByteBuffer) throws {
        let start = buffer.writerIndex
        buffer.writeRepeatingByte(0, count: WireProtocol.headerSize)
        if let meta { try meta.serialize(into: &buffer) }
        let metaLength = buffer.writerIndex - start - WireProtocol.headerSize
        var rawPayload = rawPayload
        buffer.writeBuffer(&rawPayload)
        try patchHeader(type, flags, streamID, start: start, metaLength: metaLength, buffer: &buffer)
    }

    /// A frame with no envelope (MESSAGE, CANCEL, PING).
    public static func write(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32,
                             payload: (any ProtoMessage)?, into buffer: inout ByteBuffer) throws {
        try write(type, flags: flags, streamID: streamID, meta: Optional<RPCV1.Status>.none, payload: payload, into: &buffer)
    }

    private static func patchHeader(_ type: FrameType, _ flags: FrameFlags, _ streamID: UInt32, start: Int,
                                    metaLength: Int, buffer: inout ByteBuffer) throws {
        let length = buffer.writerIndex - start - 4
        guard metaLength <= Int(UInt16.max) else {
            throw RPCError(.internal, "frame envelope of \(metaLength) bytes exceeds the 65,535 a frame can carry")
        }
        buffer.setInteger(UInt32(length), at: start)
        buffer.setInteger(type.rawValue, at: start + 4)
        buffer.setInteger(flags.rawValue, at: start + 5)
        buffer.setInteger(UInt16(metaLength), at: start + 6)
        buffer.setInteger(streamID, at: start + 8)
    }
}
