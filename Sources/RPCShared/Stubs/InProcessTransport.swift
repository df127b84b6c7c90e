import Synchronization
import Logging
import NIOCore

/// Calls services registered in this process, through the same encode → handler → decode path a socket takes
/// (messages are serialized both ways), but with no socket. For unit tests of handlers and for embedding.
public struct InProcessTransport: ClientTransport {
    private let methods: [String: RegisteredMethod]
    private let logger: Logger

    public init(services: [ServiceDefinition], logger: Logger = Logger(label: "aftersale.inprocess")) {
        var methods: [String: RegisteredMethod] = [:]
        for service in services {
            for method in service.methods { methods[method.descriptor.path] = method }
        }
        self.methods = methods
        self.logger = logger
    }

    public func unary<Input, Output>(_ method: RPCMethod<Input, Output>, request: Input,
                                     options: CallOptions) async throws -> Output {
        let (registered, bytes, context) = try prepare(method, request, options)
        guard case .unary(let handler) = registered.handler else {
            throw RPCError(.unimplemented, "\(method.descriptor.path) is not a unary method")
        }
        let response = try await withDeadline(context.deadline) {
            try await handler(bytes, context)
        }
        return try reencode(response, as: Output.self)
    }

    public func serverStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, request: Input,
                                               options: CallOptions) -> ResponseStream<Output> {
        respond(as: Output.self) { send in
            let (registered, bytes, context) = try prepare(method, request, options)
            guard case .serverStreaming(let handler) = registered.handler else {
                throw RPCError(.unimplemented, "\(method.descriptor.path) is not a server-streaming method")
            }
            try await withDeadline(context.deadline) { try await handler(bytes, context, send) }
        }
    }

    public func clientStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, options: CallOptions,
                                               requests: @escaping @Sendable (RequestWriter<Input>) async throws -> Void) async throws -> Output {
        let (registered, _, context) = try prepare(method, nil as Input?, options)
        guard case .clientStreaming(let handler) = registered.handler else {
            throw RPCError(.unimplemented, "\(method.descriptor.path) is not a client-streaming method")
        }
        let stream = Self.requestStream(requests)
        let response = try await withDeadline(context.deadline) { try await handler(stream, context) }
        return try reencode(response, as: Output.self)
    }

    public func bidirectionalStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, options: CallOptions,
                                                      requests: @escaping @Sendable (RequestWriter<Input>) async throws -> Void)
        -> ResponseStream<Output> {
        respond(as: Output.self) { send in
            let (registered, _, context) = try prepare(method, nil as Input?, options)
            guard case .bidirectionalStreaming(let handler) = registered.handler else {
                throw RPCError(.unimplemented, "\(method.descriptor.path) is not a bidirectional method")
            }
            let requestStream = Self.requestStream(requests)
            try await withDeadline(context.deadline) { try await handler(requestStream, context, send) }
        }
    }

    /// A response stream fed by `serve`, which gets a sender that re-encodes each message as the wire would.
    private func respond<Output: ProtoMessage>(
        as: Output.Type,
        _ serve: @escaping @Sendable (_ send: @escaping @Sendable (any ProtoMessage) async throws -> Void) async throws -> Void
    ) -> ResponseStream<Output> {
        let (stream, continuation) = AsyncThrowingStream<Output, any Error>.makeStream()
        let task = Task {
            do {
                try await serve { message in continuation.yield(try reencode(message, as: Output.self)) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: Self.asRPCError(error))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return ResponseStream(stream)
    }

    /// Runs the writer in its own task, serializing each request, as a socket would carry it.
    private static func requestStream<Input: ProtoMessage>(
        _ requests: @escaping @Sendable (RequestWriter<Input>) async throws -> Void
    ) -> RequestStream<ByteBuffer> {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        Task {
            do {
                try await requests(RequestWriter { request in
                    var bytes = ByteBuffer()
                    try request.serialize(into: &bytes)
                    continuation.yield(bytes)
                })
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return RequestStream(stream)
    }

    private func prepare<Input, Output>(_ method: RPCMethod<Input, Output>, _ request: Input?,
                                        _ options: CallOptions) throws -> (RegisteredMethod, ByteBuffer, ServerContext) {
        guard let registered = methods[method.descriptor.path] else {
            throw RPCError(.unimplemented, "unknown method \(method.descriptor.path)")
        }
        var bytes = ByteBuffer()
        try request?.serialize(into: &bytes)
        let context = ServerContext(method: method.descriptor, metadata: options.metadata,
                                    deadline: options.timeout.map { ContinuousClock.now + $0 },
                                    requestID: RequestID.next(), logger: logger)
        return (registered, bytes, context)
    }

    private func withDeadline<R: Sendable>(_ deadline: ContinuousClock.Instant?,
                                           _ body: @escaping @Sendable () async throws -> R) async throws -> R {
        do {
            guard let deadline else { return try await body() }
            return try await withThrowingTaskGroup(of: R.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    throw RPCError(.deadlineExceeded, "deadline exceeded")
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch {
            throw Self.asRPCError(error)
        }
    }

    private func reencode<Output: ProtoMessage>(_ message: any ProtoMessage, as: Output.Type) throws -> Output {
        var bytes = ByteBuffer()
        try message.serialize(into: &bytes)
        return try Output(serializedBytes: bytes)
    }

    /// What a server would put on the wire for an error a handler threw.
    static func asRPCError(_ error: any Error) -> RPCError { CallSetup.status(for: error) }
}

/// Unique call identifiers: a random per-process prefix and a counter.
public enum RequestID {
    private static let counter = Atomic<UInt64>(0)
    private static let prefix = String(UInt32.random(in: .min ... .max), radix: 36)

    public static func next() -> String {
        "\(prefix)-\(String(counter.wrappingAdd(1, ordering: .relaxed).newValue, radix: 36))"
    }
}
