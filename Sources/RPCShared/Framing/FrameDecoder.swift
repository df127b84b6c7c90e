import NIOCore

/// What the frame decoder produces.
public enum FrameEvent: Sendable {
    case frame(Frame)
    /// A frame longer than `maxFrameSize` (but under the hard cap) arrived on this stream; its body is being
    /// skipped. The connection stays usable; only the stream fails.
    case oversized(type: FrameType, streamID: UInt32, length: Int)
}

/// Why the byte stream cannot be read any further: the connection must send GOAWAY and close.
public struct FrameError: Error, Hashable, CustomStringConvertible {
    public var code: GoAwayCode
    public var message: String
    public var description: String { message }
}

/// Splits the byte stream into frames, with the limits as its own state (NIOExtras' length-field decoder
/// cannot cap a length or skip an oversized body).
///
/// On a server it first checks the 8-byte preface, byte by byte as the bytes arrive, so garbage fails at once
/// instead of waiting for more input.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = FrameEvent

    private enum State {
        case preface(matched: Int)
        case header
        case skipping(remaining: Int)
    }

    private var state: State
    public var maxFrameSize: Int
    public let maxMetaSize: Int

    public init(expectPreface: Bool, maxFrameSize: Int = WireProtocol.defaultMaxFrameSize,
                maxMetaSize: Int = WireProtocol.defaultMaxMetaSize) {
        state = expectPreface ? .preface(matched: 0) : .header
        self.maxFrameSize = maxFrameSize
        self.maxMetaSize = maxMetaSize
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        switch state {
        case .preface(var matched):
            while matched < WireProtocol.preface.count, let byte = buffer.readInteger(as: UInt8.self) {
                guard byte == WireProtocol.preface[matched] else {
                    throw FrameError(code: .protocolError,
                                     message: "bad connection preface: expected ASRP version 1 (41 53 52 50 01 00 00 00)")
                }
                matched += 1
            }
            state = matched == WireProtocol.preface.count ? .header : .preface(matched: matched)
            return matched == WireProtocol.preface.count ? .continue : .needMoreData

        case .skipping(let remaining):
            let skipped = min(remaining, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: skipped)
            state = skipped == remaining ? .header : .skipping(remaining: remaining - skipped)
            return skipped == remaining ? .continue : .needMoreData

        case .header:
            guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
            let frameLength = Int(length)
            guard frameLength >= 8 else {
                throw FrameError(code: .protocolError, message: "malformed frame header: length \(frameLength) < 8")
            }
            guard frameLength <= WireProtocol.hardFrameSizeCap else {
                throw FrameError(code: .frameSizeError,
                                 message: "frame length \(frameLength) exceeds the hard limit \(WireProtocol.hardFrameSizeCap)")
            }
            guard buffer.readableBytes >= WireProtocol.headerSize else { return .needMoreData }
            let base = buffer.readerIndex
            let type = FrameType(rawValue: buffer.getInteger(at: base + 4, as: UInt8.self)!)
            let flags = FrameFlags(rawValue: buffer.getInteger(at: base + 5, as: UInt8.self)!)
            let metaLength = Int(buffer.getInteger(at: base + 6, as: UInt16.self)!)
            let streamID = buffer.getInteger(at: base + 8, as: UInt32.self)!
            guard metaLength <= frameLength - 8 else {
                throw FrameError(code: .protocolError,
                                 message: "malformed frame header: meta_len \(metaLength) exceeds the frame's \(frameLength - 8) bytes")
            }
            if frameLength > maxFrameSize || metaLength > maxMetaSize {
                buffer.moveReaderIndex(forwardBy: WireProtocol.headerSize)
                state = .skipping(remaining: frameLength - 8)
                context.fireChannelRead(wrapInboundOut(.oversized(type: type, streamID: streamID, length: frameLength)))
                return .continue
            }
            guard buffer.readableBytes >= 4 + frameLength else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: WireProtocol.headerSize)
            let meta = buffer.readSlice(length: metaLength)!
            let payload = buffer.readSlice(length: frameLength - 8 - metaLength)!
            context.fireChannelRead(wrapInboundOut(.frame(Frame(type: type, flags: flags, streamID: streamID,
                                                                  meta: meta, payload: payload))))
            return .continue
        }
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer,
                                    seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
