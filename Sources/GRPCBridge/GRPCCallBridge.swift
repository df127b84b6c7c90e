import GRPCCore
import Logging
import NIOCore
import RPCShared

/// Serves our type-erased methods on GRPCCore's router: every call gets the same ``RPCShared/ServerContext`` the
/// native server would build (metadata, `grpc-timeout` as the deadline, peer, request id, trace context), runs the
/// same interceptors and handler, and leaves with our status mapped 1:1 (docs/PROTOCOL.md, "The gRPC listener").
/// One handler, two transports.
struct GRPCCallBridge: Sendable {
    let interceptors: [any RPCShared.ServerInterceptor]
    let logger: Logger

    func register<Transport: ServerTransport>(_ services: [ServiceDefinition], on router: inout RPCRouter<Transport>) {
        for service in services {
            for method in service.methods {
                let descriptor = GRPCCore.MethodDescriptor(fullyQualifiedService: method.descriptor.service,
                                                           method: method.descriptor.method)
                router.registerHandler(forMethod: descriptor, deserializer: RawRequestDeserializer(),
                                       serializer: ProtoMessageSerializer()) { request, context in
                    await self.handle(method, request, context)
                }
            }
        }
    }

    private func handle(_ method: RegisteredMethod, _ request: StreamingServerRequest<ByteBuffer>,
                        _ grpcContext: GRPCCore.ServerContext) async -> StreamingServerResponse<any ProtoMessage> {
        let metadata = GRPCStatusMapping.metadata(request.metadata)
        let deadline = GRPCStatusMapping.timeout(metadata["grpc-timeout"]).map { ContinuousClock.now + $0 }
        let (context, trace) = CallSetup.context(method: method.descriptor, metadata: metadata, deadline: deadline,
                                                 peer: GRPCStatusMapping.peer(grpcContext.remotePeer),
                                                 traceparent: metadata["traceparent"], logger: logger)
        let call = BridgedCall(context: context, trace: trace, interceptors: interceptors)
        let messages = SharedRequestIterator(request.messages)
        switch method.handler {
        case .unary(let handler):
            do {
                let bytes = try await messages.single()
                let response = try await call.run { context in try await handler(bytes, context) }
                return .init(single: ServerResponse(message: response, trailingMetadata: call.trailers))
            } catch {
                return .init(error: call.grpcError(error))
            }
        case .serverStreaming(let handler):
            let bytes: ByteBuffer
            do { bytes = try await messages.single() } catch { return .init(error: call.grpcError(error)) }
            return .init { writer in
                do {
                    try await call.run { context in try await handler(bytes, context) { try await writer.write($0) } }
                } catch {
                    throw call.grpcError(error)
                }
                return call.trailers
            }
        case .clientStreaming(let handler):
            do {
                let response = try await call.run { context in try await handler(messages.stream, context) }
                return .init(single: ServerResponse(message: response, trailingMetadata: call.trailers))
            } catch {
                return .init(error: call.grpcError(error))
            }
        case .bidirectionalStreaming(let handler):
            return .init { writer in
                do {
                    try await call.run { context in try await handler(messages.stream, context) { try await writer.write($0) } }
                } catch {
                    throw call.grpcError(error)
                }
                return call.trailers
            }
        }
    }
}

/// One call in flight on the gRPC listener.
private struct BridgedCall: Sendable {
    let context: RPCShared.ServerContext
    let trace: TraceContext
    let interceptors: [any RPCShared.ServerInterceptor]

    var trailers: GRPCCore.Metadata { ["x-request-id": .string(context.requestID)] }

    /// The interceptors and the handler, in a task that is cancelled when the RPC is: the client's RST_STREAM and
    /// an expired `grpc-timeout` both reach us through GRPCCore's RPC cancellation handle.
    func run<R: Sendable>(_ body: @escaping @Sendable (RPCShared.ServerContext) async throws -> R) async throws -> R {
        let context = self.context, trace = self.trace, interceptors = self.interceptors
        let task = Task {
            try await TraceContext.$current.withValue(trace) { try await CallSetup.intercept(interceptors, context, body) }
        }
        return try await withTaskCancellationHandler {
            try await withRPCCancellationHandler { try await task.value } onCancelRPC: { task.cancel() }
        } onCancel: {
            task.cancel()
        }
    }

    /// What the client gets for an error: DEADLINE_EXCEEDED once the deadline passed (whatever the cancelled
    /// handler threw), the transport's own errors as they are, ours mapped.
    func grpcError(_ error: any Error) -> GRPCCore.RPCError {
        if let deadline = context.deadline, ContinuousClock.now >= deadline {
            return GRPCStatusMapping.grpcError(RPCShared.RPCError(.deadlineExceeded, "deadline exceeded"), requestID: context.requestID)
        }
        if let error = error as? GRPCCore.RPCError { return error }
        let status = CallSetup.status(for: error)
        if status.code == .unknown || status.code == .internal {
            context.logger.error("call failed", metadata: ["code": "\(status.code)", "message": "\(status.message)"])
        }
        return GRPCStatusMapping.grpcError(status, requestID: context.requestID)
    }
}

/// The request messages of one call, read by one consumer (the handler's task), as our ``RequestStream``.
private final class SharedRequestIterator: @unchecked Sendable {
    private var iterator: RPCAsyncSequence<ByteBuffer, any Error>.AsyncIterator

    init(_ messages: RPCAsyncSequence<ByteBuffer, any Error>) { iterator = messages.makeAsyncIterator() }

    func next() async throws -> ByteBuffer? { try await iterator.next() }

    var stream: RequestStream<ByteBuffer> { RequestStream { try await self.next() } }

    /// The one request of a unary or server-streaming call.
    func single() async throws -> ByteBuffer {
        guard let message = try await next() else {
            throw RPCShared.RPCError(.invalidArgument, "the call carries no request message")
        }
        return message
    }
}
