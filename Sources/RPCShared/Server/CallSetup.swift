import Logging

/// How a server turns an incoming call into a handler run, shared by every transport that serves
/// ``ServiceDefinition``s (the native ``RPCServer`` and the gRPC bridge), so both give handlers the same context,
/// run the same interceptors and put the same statuses on the wire.
public enum CallSetup {
    /// The handler's context and trace for a call: the client's `x-request-id` (or a new one), its W3C trace
    /// context (or a new root), and a logger carrying both on every line.
    public static func context(method: MethodDescriptor, metadata: Metadata, deadline: ContinuousClock.Instant?,
                               peer: String, traceparent: String?, logger: Logger) -> (ServerContext, TraceContext) {
        let requestID = metadata["x-request-id"] ?? RequestID.next()
        let trace = traceparent.flatMap(TraceContext.init(traceparent:)) ?? TraceContext.root()
        let callLogger = logger.withCallMetadata(.init(requestID: .string(requestID), traceID: .string(trace.traceID),
                                                       method: .string(method.path), peer: .string(peer)))
        let context = ServerContext(method: method, metadata: metadata, deadline: deadline, peer: peer,
                                    requestID: requestID, traceparent: trace.traceparent, logger: callLogger)
        return (context, trace)
    }

    /// Runs `body` inside `interceptors`, the first registered outermost.
    public static func intercept<R: Sendable>(_ interceptors: [any ServerInterceptor], _ context: ServerContext,
                                              _ body: @escaping @Sendable (ServerContext) async throws -> R) async throws -> R {
        try await chain(interceptors[...], context, body)
    }

    private static func chain<R: Sendable>(_ interceptors: ArraySlice<any ServerInterceptor>, _ context: ServerContext,
                                           _ body: @escaping @Sendable (ServerContext) async throws -> R) async throws -> R {
        guard let first = interceptors.first else { return try await body(context) }
        let rest = interceptors.dropFirst()
        return try await first.intercept(context: context) { context in try await chain(rest, context, body) }
    }

    /// What goes on the wire for an error a handler threw (gRPC's conventions).
    public static func status(for error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: error
        case is CancellationError: RPCError(.cancelled, "the call was cancelled")
        case let error as ProtoEncodingError: RPCError(.internal, "cannot encode the response: \(error)")
        default: RPCError(.unknown, "\(error)")
        }
    }
}
