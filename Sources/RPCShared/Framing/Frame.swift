import NIOCore

/// The kinds of frame (docs/PROTOCOL.md). Unknown kinds are kept as their raw value and ignored by both ends.
public struct FrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let call = FrameType(rawValue: 0x01)
    public static let message = FrameType(rawValue: 0x02)
    public static let headers = FrameType(rawValue: 0x03)
    public static let status = FrameType(rawValue: 0x04)
    public static let cancel = FrameType(rawValue: 0x05)
    public static let settings = FrameType(rawValue: 0x10)
    public static let ping = FrameType(rawValue: 0x11)
    public static let goAway = FrameType(rawValue: 0x12)

    public var description: String {
        switch self {
        case .call: "CALL"
        case .message: "MESSAGE"
        case .headers: "HEADERS"
        case .status: "STATUS"
        case .cancel: "CANCEL"
        case .settings: "SETTINGS"
        case .ping: "PING"
        case .goAway: "GOAWAY"
        default: "UNKNOWN(0x\(String(rawValue, radix: 16)))"
        }
    }
}

public struct FrameFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let endStream = FrameFlags(rawValue: 0x01)
    /// Reserved: nothing is compressed in version 1.
    public static let compressed = FrameFlags(rawValue: 0x02)
    public static let ack = FrameFlags(rawValue: 0x04)
}

/// One frame: a 12-byte header, `meta` (an envelope message from aftersale.rpc.v1) and `payload` (a message).
/// Decoded frames hold slices of the read buffer: nothing is copied.
public struct Frame: Sendable {
    public var type: FrameType
    public var flags: FrameFlags
    public var streamID: UInt32
    public var meta: ByteBuffer
    public var payload: ByteBuffer

    public init(type: FrameType, flags: FrameFlags = [], streamID: UInt32, meta: ByteBuffer = ByteBuffer(),
                payload: ByteBuffer = ByteBuffer()) {
        self.type = type
        self.flags = flags
        self.streamID = streamID
        self.meta = meta
        self.payload = payload
    }
}

/// Protocol constants and defaults (docs/PROTOCOL.md, "Limits").
public enum WireProtocol {
    /// `ASRP`, version 1, three zero bytes.
    public static let preface: [UInt8] = [0x41, 0x53, 0x52, 0x50, 0x01, 0x00, 0x00, 0x00]
    public static let headerSize = 12
    public static let defaultMaxFrameSize = 4 * 1024 * 1024
    public static let defaultMaxMetaSize = 16 * 1024
    public static let defaultMaxConcurrentStreams = 1024
    /// A length field above this is an attack or a broken peer: GOAWAY and close, nothing is skipped.
    public static let hardFrameSizeCap = 64 * 1024 * 1024
}

/// GOAWAY codes (docs/PROTOCOL.md).
public enum GoAwayCode: Int32, Sendable {
    case noError = 0
    case protocolError = 1
    case frameSizeError = 2
    case keepaliveTimeout = 3
    case internalError = 4
}
