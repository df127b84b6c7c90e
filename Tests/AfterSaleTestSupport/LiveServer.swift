import NIOCore
import NIOPosix
import Synchronization
import RPCShared

/// Support shared by the test targets: the Echo service, real servers on temporary sockets, raw connections.

/// The test Echo service, recording what the transport does to its calls.
public final class EchoService: TestingV1.Echo.Handler {
    public let started = Atomic<Int>(0)
    public let cancelled = Atomic<Int>(0)
    public let completed = Atomic<Int>(0)

    public init() {}

    public func say(_ request: TestingV1.EchoRequest, context: ServerContext) async throws -> TestingV1.EchoResponse {
        started.wrappingAdd(1, ordering: .relaxed)
        if request.sleepMillis > 0 {
            do {
                try await Task.sleep(for: .milliseconds(request.sleepMillis))
            } catch {
                cancelled.wrappingAdd(1, ordering: .relaxed)
                throw error
            }
        }
        if request.failCode != 0 {
            throw RPCError(StatusCode(wireValue: request.failCode), "asked to fail",
                           details: CommonV1.ErrorDetails(reason: "TEST_FAILURE"))
        }
        completed.wrappingAdd(1, ordering: .relaxed)
        if request.text == "traceparent?" { return .init(text: context.traceparent) }
        return .init(text: request.text, index: Int32(context.metadata["x-index"] ?? "0") ?? 0, blob: request.blob)
    }

    public func collect(_ requests: RequestStream<TestingV1.EchoRequest>, context: ServerContext) async throws -> TestingV1.EchoResponse {
        var texts: [String] = []
        for try await request in requests { texts.append(request.text) }
        return .init(text: texts.joined(separator: "+"), index: Int32(texts.count))
    }

    public func chat(_ requests: RequestStream<TestingV1.EchoRequest>, responses: ResponseWriter<TestingV1.EchoResponse>,
                     context: ServerContext) async throws {
        var index: Int32 = 0
        for try await request in requests {
            try await responses.write(.init(text: request.text.uppercased(), index: index))
            index += 1
        }
    }

    public func count(_ request: TestingV1.EchoRequest, responses: ResponseWriter<TestingV1.EchoResponse>,
               context: ServerContext) async throws {
        for index in 0..<request.repeat {
            if request.sleepMillis > 0 { try await Task.sleep(for: .milliseconds(request.sleepMillis)) }
            try await responses.write(.init(text: request.text, index: index))
        }
    }
}

extension Atomic where Value == Int {
    public var value: Int { load(ordering: .relaxed) }
}

/// A real server on a temporary Unix socket or 127.0.0.1 port 0, stopped when the test ends.
public struct LiveServer: Sendable {
    public enum Transport: String, CaseIterable, CustomStringConvertible, Sendable {
        case unix, tcp
        public var description: String { rawValue }
    }

    public let server: RPCServer
    public let endpoint: Endpoint
    public let echo: EchoService

    public static func start(_ transport: Transport, path: String? = nil, configure: (inout ServerConfiguration) -> Void = { _ in })
        async throws -> LiveServer {
        let echo = EchoService()
        let endpoint: Endpoint = switch transport {
        case .unix: .unix(path: path ?? temporarySocketPath())
        case .tcp: .tcp(host: "127.0.0.1", port: 0)
        }
        var configuration = ServerConfiguration(endpoint: endpoint)
        configuration.gracePeriod = .seconds(5)
        configure(&configuration)
        let server = RPCServer(configuration: configuration, services: [echo.serviceDefinition])
        let bound = try await server.start()
        return LiveServer(server: server, endpoint: bound, echo: echo)
    }

    public func client(_ configure: (inout ClientConfiguration) -> Void = { _ in }) -> RPCClient {
        var configuration = ClientConfiguration()
        configuration.backoff.initial = .milliseconds(10)
        configure(&configuration)
        return RPCClient(endpoints: [endpoint], configuration: configuration)
    }

    public func stop() async { await server.shutdown(gracePeriod: .seconds(2)) }
}

public func temporarySocketPath() -> String {
    "/tmp/aftersale-test-\(UInt32.random(in: 0 ... .max)).sock"
}

/// A raw connection for sending bytes the real client never would.
public struct RawConnection {
    public let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    public static func connect(_ endpoint: Endpoint) async throws -> RawConnection {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        switch endpoint {
        case .unix(let path):
            channel = try await bootstrap.connect(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel(wrappingChannelSynchronously: channel) }
            }
        case .tcp(let host, let port):
            channel = try await bootstrap.connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel(wrappingChannelSynchronously: channel) }
            }
        }
        return RawConnection(channel: channel)
    }

    /// Sends `bytes`, then reads until the server closes (or `limit` bytes arrive); returns what came back.
    public func exchange(_ bytes: [UInt8], readUntilClose: Bool = true, limit: Int = 1 << 20) async throws -> [UInt8] {
        var received: [UInt8] = []
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: bytes))
            for try await var chunk in inbound {
                received += chunk.readBytes(length: chunk.readableBytes) ?? []
                if received.count >= limit || !readUntilClose { break }
            }
        }
        return received
    }
}

/// Splits bytes into frames (header fields + meta + payload), for assertions on what a server wrote.
public func parseFrames(_ bytes: [UInt8]) -> [(type: UInt8, flags: UInt8, stream: UInt32, meta: [UInt8], payload: [UInt8])] {
    var frames: [(UInt8, UInt8, UInt32, [UInt8], [UInt8])] = []
    var index = 0
    while index + 12 <= bytes.count {
        let length = Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
        let metaLength = Int(bytes[index + 6]) << 8 | Int(bytes[index + 7])
        let stream = UInt32(bytes[index + 8]) << 24 | UInt32(bytes[index + 9]) << 16 | UInt32(bytes[index + 10]) << 8 | UInt32(bytes[index + 11])
        guard index + 4 + length <= bytes.count else { break }
        let meta = Array(bytes[(index + 12)..<(index + 12 + metaLength)])
        let payload = Array(bytes[(index + 12 + metaLength)..<(index + 4 + length)])
        frames.append((bytes[index + 4], bytes[index + 5], stream, meta, payload))
        index += 4 + length
    }
    return frames
}

/// A frame's bytes, for raw tests.
public func frameBytes(type: UInt8, flags: UInt8 = 0, stream: UInt32, meta: [UInt8] = [], payload: [UInt8] = []) -> [UInt8] {
    let length = UInt32(8 + meta.count + payload.count)
    var bytes: [UInt8] = [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
    bytes += [type, flags, UInt8(meta.count >> 8), UInt8(meta.count & 0xFF)]
    bytes += [UInt8(stream >> 24), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)]
    return bytes + meta + payload
}
