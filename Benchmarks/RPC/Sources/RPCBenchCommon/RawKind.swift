import NIOCore
import NIOPosix

/// The floor: 4-byte big-endian length-prefixed frames, echoed unchanged. No protobuf, no headers, no streams.
struct LengthPrefixedFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    static let maxFrame = 1 << 20

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard Int(length) <= Self.maxFrame else { throw BenchError("frame of \(length) bytes") }
        guard let frame = buffer.readSlice(length: 4 + Int(length)) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }
}

/// Writes each frame (prefix included) back; flushes once per read burst, as a NIO server should.
final class RawEchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// The same socket options as AfterSale's RPCServer.
final class RawBenchServer: BenchServer {
    let channel: any Channel
    let address: BenchAddress

    private init(channel: any Channel, address: BenchAddress) {
        self.channel = channel
        self.address = address
    }

    static func start(_ address: BenchAddress) async throws -> RawBenchServer {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LengthPrefixedFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(RawEchoHandler())
                }
            }
        switch address {
        case .unix(let path):
            let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
            return RawBenchServer(channel: channel, address: address)
        case .tcp(let host, let port):
            let channel = try await bootstrap.bind(host: host, port: port).get()
            return RawBenchServer(channel: channel, address: .tcp(host: host, port: channel.localAddress?.port ?? port))
        }
    }

    func shutdown() async { try? await channel.close() }
}

/// Pipelining on one connection: requests go out in order, answers come back in order, so a FIFO of promises
/// (touched only on the event loop) pairs them.
final class PipeliningHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = (ByteBuffer, EventLoopPromise<ByteBuffer>)
    typealias OutboundOut = ByteBuffer

    private var pending = CircularBuffer<EventLoopPromise<ByteBuffer>>(initialCapacity: 128)

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let (bytes, answer) = unwrapOutboundIn(data)
        pending.append(answer)
        context.write(wrapOutboundOut(bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if let answer = pending.popFirst() { answer.succeed(frame) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        while let answer = pending.popFirst() { answer.fail(BenchError("connection closed")) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        while let answer = pending.popFirst() { answer.fail(error) }
        context.close(promise: nil)
    }
}

final class RawBenchCaller: BenchCaller {
    /// The encoded EchoRequest (aftersale.testing.v1, field 1 = the 98-character text), built by hand once:
    /// the floor does no protobuf work.
    static let payload: [UInt8] = [0x0A, UInt8(BenchMessage.text.utf8.count)] + Array(BenchMessage.text.utf8)

    let channel: any Channel
    let frame: ByteBuffer

    private init(channel: any Channel) {
        self.channel = channel
        var frame = ByteBuffer()
        frame.writeInteger(UInt32(Self.payload.count))
        frame.writeBytes(Self.payload)
        self.frame = frame
    }

    static func connect(_ address: BenchAddress) async throws -> RawBenchCaller {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LengthPrefixedFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(PipeliningHandler())
                }
            }
        let channel = switch address {
        case .unix(let path): try await bootstrap.connect(unixDomainSocketPath: path).get()
        case .tcp(let host, let port): try await bootstrap.connect(host: host, port: port).get()
        }
        return RawBenchCaller(channel: channel)
    }

    func call() async throws {
        let answer = channel.eventLoop.makePromise(of: ByteBuffer.self)
        channel.writeAndFlush((frame, answer)).whenFailure { answer.fail($0) }
        let echoed = try await answer.futureResult.get()
        guard echoed.readableBytes == frame.readableBytes else { throw BenchError("wrong answer: \(echoed.readableBytes) bytes") }
    }

    func close() async { try? await channel.close() }
}
