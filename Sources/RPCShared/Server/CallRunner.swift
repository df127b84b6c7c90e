import Synchronization
import Logging
import NIOCore

/// One call's handler, run as a task: interceptors, the handler, then the STATUS frame (with the response for a
/// unary call) encoded in the task and handed to the connection on its event loop.
///
/// A class: the task and the closures below capture one reference, not copies of all these fields.
final class CallRunner: Sendable {
    let streamID: UInt32
    let method: RegisteredMethod
    let request: ByteBuffer
    let requests: RequestStream<ByteBuffer>?
    let context: ServerContext
    let trace: TraceContext
    let interceptors: [any ServerInterceptor]
    let allocator: ByteBufferAllocator
    let connection: NIOLoopBound<ServerConnectionHandler>

    init(streamID: UInt32, method: RegisteredMethod, request: ByteBuffer, requests: RequestStream<ByteBuffer>?,
         context: ServerContext, trace: TraceContext, interceptors: [any ServerInterceptor], allocator: ByteBufferAllocator,
         connection: NIOLoopBound<ServerConnectionHandler>) {
        self.streamID = streamID
        self.method = method
        self.request = request
        self.requests = requests
        self.context = context
        self.trace = trace
        self.interceptors = interceptors
        self.allocator = allocator
        self.connection = connection
    }

    func run() async {
        let started = ContinuousClock.now
        let (frame, code) = await TraceContext.$current.withValue(trace) { await serve() }
        context.logger.debug("call finished", metadata: ["code": "\(code)", "duration": "\(ContinuousClock.now - started)"])
        let streamID = self.streamID
        onLoop { $0.finish(streamID, statusFrame: frame, code: code) }
    }

    private func serve() async -> (ByteBuffer, StatusCode) {
        let frame: ByteBuffer
        let request = self.request
        do {
            switch method.handler {
            case .unary(let handler):
                let response = try await intercepted { context in try await handler(request, context) }
                frame = try statusFrame(.ok, "", payload: response)
            case .serverStreaming(let handler):
                try await intercepted { context in
                    try await handler(request, context) { message in try await self.send(message) }
                }
                frame = try statusFrame(.ok, "", payload: nil)
            case .clientStreaming(let handler):
                let requests = self.requests!
                let response = try await intercepted { context in try await handler(requests, context) }
                frame = try statusFrame(.ok, "", payload: response)
            case .bidirectionalStreaming(let handler):
                let requests = self.requests!
                try await intercepted { context in
                    try await handler(requests, context) { message in try await self.send(message) }
                }
                frame = try statusFrame(.ok, "", payload: nil)
            }
            return (frame, .ok)
        } catch {
            let status = Self.status(for: error)
            if status.code == .unknown || status.code == .internal {
                context.logger.error("call failed", metadata: ["code": "\(status.code)", "message": "\(status.message)"])
            }
            frame = (try? statusFrame(status.code, status.message, details: status.details, trailers: status.trailers)) ?? ByteBuffer()
            return (frame, status.code)
        }
    }

    private func intercepted<R: Sendable>(_ body: @escaping @Sendable (ServerContext) async throws -> R) async throws -> R {
        try await Self.chain(interceptors[...], context, body)
    }

    private static func chain<R: Sendable>(_ interceptors: ArraySlice<any ServerInterceptor>, _ context: ServerContext,
                                           _ body: @escaping @Sendable (ServerContext) async throws -> R) async throws -> R {
        guard let first = interceptors.first else { return try await body(context) }
        let rest = interceptors.dropFirst()
        return try await first.intercept(context: context) { context in try await chain(rest, context, body) }
    }

    private func send(_ message: any ProtoMessage) async throws {
        var buffer = allocator.buffer(capacity: 128)
        try FrameWriter.write(.message, streamID: streamID, payload: message, into: &buffer)
        let connection = self.connection, streamID = self.streamID
        let written: EventLoopFuture<Void>? = try await connection.eventLoop.submit { [buffer] in
            connection.value.send(streamID, messageFrame: buffer)
        }.get()
        guard let written else { throw CancellationError() }
        try await written.get()  // backpressure: one message in the socket buffer at a time per stream
    }

    private func statusFrame(_ code: StatusCode, _ message: String, details: [UInt8] = [], trailers: Metadata = [:],
                             payload: (any ProtoMessage)?) throws -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        // The error's own trailers (e.g. a rate limit's `grpc-retry-pushback-ms`) travel after the request id.
        let entries = [RPCV1.MetadataEntry(key: "x-request-id", value: Array(context.requestID.utf8))]
            + trailers.map { RPCV1.MetadataEntry(key: $0.key, value: $0.value) }
        let status = RPCV1.Status(code: code.rawValue, message: message, trailers: entries, details: details)
        try FrameWriter.write(.status, flags: .endStream, streamID: streamID, meta: status, payload: payload, into: &buffer)
        return buffer
    }

    private func statusFrame(_ code: StatusCode, _ message: String, details: [UInt8], trailers: Metadata) throws -> ByteBuffer {
        try statusFrame(code, message, details: details, trailers: trailers, payload: nil)
    }

    private func onLoop(_ body: @escaping @Sendable (ServerConnectionHandler) -> Void) {
        let connection = self.connection
        let loop = connection.eventLoop
        if loop.inEventLoop {
            body(connection.value)
        } else {
            loop.execute { body(connection.value) }
        }
    }

    /// What goes on the wire for an error a handler threw (gRPC's conventions).
    static func status(for error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: error
        case is CancellationError: RPCError(.cancelled, "the call was cancelled")
        case let error as ProtoEncodingError: RPCError(.internal, "cannot encode the response: \(error)")
        default: RPCError(.unknown, "\(error)")
        }
    }
}

/// Counters a server keeps about itself (tests and health use them).
final class ServerStats: Sendable {
    private let active = Atomic<Int>(0)
    func callsStarted() { active.wrappingAdd(1, ordering: .relaxed) }
    func callsEnded(_ count: Int) { active.wrappingSubtract(count, ordering: .relaxed) }
    var activeCalls: Int { active.load(ordering: .relaxed) }
}
