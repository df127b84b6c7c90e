import Logging
import NIOCore

/// What a handler learns about the call it serves.
public struct ServerContext: Sendable {
    public var method: MethodDescriptor
    /// Metadata the client sent (e.g. `authorization`, `idempotency-key`).
    public var metadata: Metadata
    /// When the client stops waiting; the server cancels the handler then.
    public var deadline: ContinuousClock.Instant?
    /// The peer's address, e.g. `unix:/run/order.sock` or `tcp://127.0.0.1:50412`.
    public var peer: String
    /// A unique id for this call (also in every log line it writes).
    public var requestID: String
    /// W3C trace context of the caller, if any.
    public var traceparent: String
    public var logger: Logger

    public init(method: MethodDescriptor, metadata: Metadata = [:], deadline: ContinuousClock.Instant? = nil,
                peer: String = "in-process", requestID: String, traceparent: String = "", logger: Logger) {
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
        self.requestID = requestID
        self.traceparent = traceparent
        self.logger = logger
    }

    /// The time left before the deadline, if there is one.
    public var remaining: Duration? { deadline.map { $0 - .now } }
}

/// Where a server-streaming handler sends its responses.
public struct ResponseWriter<Output: ProtoMessage>: Sendable {
    private let send: @Sendable (Output) async throws -> Void
    public init(_ send: @escaping @Sendable (Output) async throws -> Void) { self.send = send }
    public func write(_ response: Output) async throws { try await send(response) }
}

/// A service's methods with their handlers, type-erased to bytes in and messages out, ready for a server.
public struct ServiceDefinition: Sendable {
    public let name: String
    public let methods: [RegisteredMethod]

    public init(name: String, methods: [RegisteredMethod]) {
        self.name = name
        self.methods = methods
    }
}

/// One method of a ``ServiceDefinition``.
public struct RegisteredMethod: Sendable {
    public typealias UnaryHandler = @Sendable (ByteBuffer, ServerContext) async throws -> any ProtoMessage
    public typealias StreamingHandler = @Sendable (ByteBuffer, ServerContext,
                                                   _ send: @escaping @Sendable (any ProtoMessage) async throws -> Void) async throws -> Void
    public typealias ClientStreamingHandler = @Sendable (RequestStream<ByteBuffer>, ServerContext) async throws -> any ProtoMessage
    public typealias BidirectionalHandler = @Sendable (RequestStream<ByteBuffer>, ServerContext,
                                                       _ send: @escaping @Sendable (any ProtoMessage) async throws -> Void) async throws -> Void
    public enum Handler: Sendable {
        case unary(UnaryHandler)
        case serverStreaming(StreamingHandler)
        case clientStreaming(ClientStreamingHandler)
        case bidirectionalStreaming(BidirectionalHandler)

        /// Whether requests arrive as a stream of MESSAGE frames rather than in the CALL frame.
        public var streamsRequests: Bool {
            switch self {
            case .unary, .serverStreaming: false
            case .clientStreaming, .bidirectionalStreaming: true
            }
        }
    }

    public let descriptor: MethodDescriptor
    public let handler: Handler

    public static func unary<Input, Output>(
        _ method: RPCMethod<Input, Output>,
        _ body: @escaping @Sendable (Input, ServerContext) async throws -> Output
    ) -> RegisteredMethod {
        RegisteredMethod(descriptor: method.descriptor, handler: .unary { bytes, context in
            try await body(try decodeRequest(Input.self, bytes), context)
        })
    }

    public static func serverStreaming<Input, Output>(
        _ method: RPCMethod<Input, Output>,
        _ body: @escaping @Sendable (Input, ResponseWriter<Output>, ServerContext) async throws -> Void
    ) -> RegisteredMethod {
        RegisteredMethod(descriptor: method.descriptor, handler: .serverStreaming { bytes, context, send in
            try await body(try decodeRequest(Input.self, bytes), ResponseWriter { try await send($0) }, context)
        })
    }

    public static func clientStreaming<Input, Output>(
        _ method: RPCMethod<Input, Output>,
        _ body: @escaping @Sendable (RequestStream<Input>, ServerContext) async throws -> Output
    ) -> RegisteredMethod {
        RegisteredMethod(descriptor: method.descriptor, handler: .clientStreaming { raw, context in
            try await body(raw.decoded(as: Input.self), context)
        })
    }

    public static func bidirectionalStreaming<Input, Output>(
        _ method: RPCMethod<Input, Output>,
        _ body: @escaping @Sendable (RequestStream<Input>, ResponseWriter<Output>, ServerContext) async throws -> Void
    ) -> RegisteredMethod {
        RegisteredMethod(descriptor: method.descriptor, handler: .bidirectionalStreaming { raw, context, send in
            try await body(raw.decoded(as: Input.self), ResponseWriter { try await send($0) }, context)
        })
    }

    /// An undecodable request is the caller's fault: INVALID_ARGUMENT, with the decoder's reason.
    static func decodeRequest<Input: ProtoMessage>(_ type: Input.Type, _ bytes: ByteBuffer) throws -> Input {
        do {
            return try Input(serializedBytes: bytes)
        } catch {
            throw RPCError(.invalidArgument, "request is not a valid \(Input.protoMessageName): \(error)")
        }
    }
}

/// The requests of a client-streaming or bidirectional call, in order; ends when the client half-closes.
/// A request that does not decode ends the stream with INVALID_ARGUMENT.
public struct RequestStream<Element: Sendable>: AsyncSequence, Sendable {
    private let next: @Sendable () async throws -> Element?

    public init(_ next: @escaping @Sendable () async throws -> Element?) { self.next = next }

    public init(_ stream: AsyncThrowingStream<Element, any Error>) {
        let iterator = SendableIterator(stream.makeAsyncIterator())
        next = { try await iterator.next() }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let next: @Sendable () async throws -> Element?
        public mutating func next() async throws -> Element? { try await next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(next: next) }
}

extension RequestStream where Element == ByteBuffer {
    func decoded<Input: ProtoMessage>(as: Input.Type) -> RequestStream<Input> {
        let next = self.next
        return RequestStream<Input> {
            guard let bytes = try await next() else { return nil }
            return try RegisteredMethod.decodeRequest(Input.self, bytes)
        }
    }
}

/// An iterator shared by one consumer (a request stream is read by its handler only).
private final class SendableIterator<Element: Sendable>: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<Element, any Error>.Iterator
    init(_ iterator: AsyncThrowingStream<Element, any Error>.Iterator) { self.iterator = iterator }
    func next() async throws -> Element? { try await iterator.next() }
}

/// Where a client writes the requests of a client-streaming or bidirectional call.
public struct RequestWriter<Input: ProtoMessage>: Sendable {
    private let send: @Sendable (Input) async throws -> Void
    public init(_ send: @escaping @Sendable (Input) async throws -> Void) { self.send = send }
    public func write(_ request: Input) async throws { try await send(request) }
}
