import NIOCore
import NIOPosix
import Synchronization

/// A client for AfterSale's RPC protocol: one multiplexed connection per endpoint, endpoints used round-robin,
/// lazy connection and reconnection with backoff, per-call deadlines, cancellation through Swift task
/// cancellation, and retries only where they cannot do harm — calls the server never processed (not sent, or
/// above a GOAWAY's last stream), or, on UNAVAILABLE, methods marked idempotent in the .proto or calls carrying
/// an `idempotency-key`.
///
/// ```swift
/// let client = try RPCClient("unix:///run/aftersale/order.sock")
/// let orders = OrderV1.OrderService.Client(transport: client)
/// ```
public final class RPCClient: ClientTransport, Sendable {
    public let endpoints: [Endpoint]
    public let configuration: ClientConfiguration
    private let connections: [ClientConnection]
    private let nextConnection = Atomic<Int>(0)
    private let allocator = ByteBufferAllocator()

    public init(endpoints: [Endpoint], configuration: ClientConfiguration = .init(),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        precondition(!endpoints.isEmpty, "an RPCClient needs at least one endpoint")
        self.endpoints = endpoints
        self.configuration = configuration
        connections = endpoints.map { ClientConnection(endpoint: $0, group: group, configuration: configuration) }
    }

    /// A client for one or more comma-separated addresses (`unix:///…` or `tcp://host:port`).
    public convenience init(_ addresses: String, configuration: ClientConfiguration = .init()) throws {
        let endpoints = try addresses.split(separator: ",").map { try Endpoint(parsing: String($0).trimmingWhitespace()) }
        guard !endpoints.isEmpty else { throw RPCError(.invalidArgument, "no address given") }
        self.init(endpoints: endpoints, configuration: configuration)
    }

    public func close() async {
        for connection in connections { await connection.close() }
    }

    // MARK: ClientTransport

    /// Sends a unary call. Three kinds of repeat, from safest to least safe:
    /// - a call that never reached a socket (the connection closed first, or a GOAWAY came before the server read
    ///   it) is sent again on a fresh connection at once, whatever `maxAttempts` says (at most
    ///   ``transparentRetries`` times): no server can have seen it;
    /// - with `options.waitForReady`, a server that cannot be reached is waited for, within that budget and the
    ///   deadline, reconnecting on the connection's backoff schedule;
    /// - a call that may have been processed is repeated on UNAVAILABLE only when ``isSafeToRepeat(_:_:)``, up to
    ///   `maxAttempts` in all, with backoff.
    public func unary<Input, Output>(_ method: RPCMethod<Input, Output>, request: Input,
                                     options: CallOptions) async throws -> Output {
        let started = ContinuousClock.now
        let deadline = options.timeout.map { started + $0 }
        let readyBy = options.waitForReady.map { started + $0 }
        var attempt = 0, transparent = 0
        while true {
            attempt += 1
            let remaining = try remainingTime(until: deadline)
            let frame = try callFrame(method.descriptor, request, options, timeout: remaining)
            do {
                let payload = try await pickConnection().unary(frame, timeout: remaining)
                do {
                    return try Output(serializedBytes: payload)
                } catch {
                    throw RPCError(.internal, "the response is not a valid \(Output.protoMessageName): \(error)")
                }
            } catch let failure as RetryableFailure {
                if let wait = failure.reconnectIn, let readyBy {
                    let wakeUp = ContinuousClock.now + wait
                    guard wakeUp < readyBy, deadline.map({ wakeUp < $0 }) ?? true else { throw failure.error }
                    attempt -= 1  // nothing was sent: waiting for the server is not an attempt
                    try await Task.sleep(until: wakeUp)
                    continue
                }
                if failure.reconnectIn == nil, transparent < Self.transparentRetries {
                    transparent += 1
                    attempt -= 1
                    continue
                }
                guard attempt < configuration.maxAttempts else { throw failure.error }
            } catch let error as RPCError where error.code == .unavailable && Self.isSafeToRepeat(method.descriptor, options) {
                guard attempt < configuration.maxAttempts else { throw error }
            }
            try await Task.sleep(for: connections[0].backoffDelay(afterFailures: attempt))
        }
    }

    /// How often one call is sent again at once because it never left the client (see ``unary(_:request:options:)``).
    public static let transparentRetries = 2

    public func serverStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, request: Input,
                                               options: CallOptions) -> ResponseStream<Output> {
        let (stream, continuation) = AsyncThrowingStream<Output, any Error>.makeStream()
        let task = Task {
            do {
                let frame = try callFrame(method.descriptor, request, options, timeout: options.timeout)
                for try await payload in pickConnection().serverStreaming(frame, timeout: options.timeout) {
                    do {
                        continuation.yield(try Output(serializedBytes: payload))
                    } catch {
                        throw RPCError(.internal, "a streamed response is not a valid \(Output.protoMessageName): \(error)")
                    }
                }
                continuation.finish()
            } catch let failure as RetryableFailure {
                continuation.finish(throwing: failure.error)
            } catch is CancellationError {
                continuation.finish(throwing: RPCError(.cancelled, "the call was cancelled"))
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination { task.cancel() }
        }
        return ResponseStream(stream)
    }

    public func clientStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, options: CallOptions,
                                               requests: @escaping @Sendable (RequestWriter<Input>) async throws -> Void) async throws -> Output {
        let frame = try callFrame(method.descriptor, nil as Input?, options, timeout: options.timeout)
        let allocator = self.allocator
        do {
            let payload = try await pickConnection().clientStreaming(frame, timeout: options.timeout) { send in
                try await requests(RequestWriter { request in try await send(Self.messageFrame(request, allocator)) })
            }
            do {
                return try Output(serializedBytes: payload)
            } catch {
                throw RPCError(.internal, "the response is not a valid \(Output.protoMessageName): \(error)")
            }
        } catch let failure as RetryableFailure {
            throw failure.error
        } catch is CancellationError {
            throw RPCError(.cancelled, "the call was cancelled")
        }
    }

    public func bidirectionalStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, options: CallOptions,
                                                      requests: @escaping @Sendable (RequestWriter<Input>) async throws -> Void)
        -> ResponseStream<Output> {
        let (stream, continuation) = AsyncThrowingStream<Output, any Error>.makeStream()
        let allocator = self.allocator
        let task = Task {
            do {
                let frame = try callFrame(method.descriptor, nil as Input?, options, timeout: options.timeout)
                let responses = pickConnection().bidirectionalStreaming(frame, timeout: options.timeout) { send in
                    try await requests(RequestWriter { request in try await send(Self.messageFrame(request, allocator)) })
                }
                for try await payload in responses {
                    continuation.yield(try Output(serializedBytes: payload))
                }
                continuation.finish()
            } catch let failure as RetryableFailure {
                continuation.finish(throwing: failure.error)
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination { task.cancel() }
        }
        return ResponseStream(stream)
    }

    private static func messageFrame(_ message: some ProtoMessage, _ allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        try FrameWriter.write(.message, streamID: 0, payload: message, into: &buffer)
        return buffer
    }

    // MARK: helpers

    private func pickConnection() -> ClientConnection {
        if connections.count == 1 { return connections[0] }
        let index = nextConnection.wrappingAdd(1, ordering: .relaxed).oldValue
        return connections[index % connections.count]
    }

    private func remainingTime(until deadline: ContinuousClock.Instant?) throws -> Duration? {
        guard let deadline else { return nil }
        let remaining = deadline - .now
        guard remaining > .zero else { throw RPCError(.deadlineExceeded, "deadline exceeded before the call could be sent") }
        return remaining
    }

    /// The CALL frame, encoded here (off the event loop); the connection patches in the stream id.
    /// `request` is nil for request-streaming calls: their CALL frame carries no message and no END_STREAM.
    private func callFrame<Input: ProtoMessage>(_ method: MethodDescriptor, _ request: Input?, _ options: CallOptions,
                                                timeout: Duration?) throws -> ByteBuffer {
        var header = RPCV1.CallHeader(method: method.path)
        if let timeout { header.timeoutMicros = UInt64(max(1, timeout.nanoseconds / 1000)) }
        if !options.metadata.isEmpty {
            header.metadata = options.metadata.entries.map { RPCV1.MetadataEntry(key: $0.key, value: $0.value) }
        }
        if let traceparent = options.traceparent {
            header.traceparent = traceparent
        } else if let trace = TraceContext.current {
            header.traceparent = trace.child().traceparent  // a call made while serving one continues its trace
        }
        var buffer = allocator.buffer(capacity: 96)
        try FrameWriter.write(.call, flags: request == nil ? [] : .endStream, streamID: 0, meta: header, payload: request,
                              into: &buffer)
        return buffer
    }

    /// Repeating a call the server may have processed is safe only for idempotent methods or keyed mutations.
    static func isSafeToRepeat(_ method: MethodDescriptor, _ options: CallOptions) -> Bool {
        method.idempotent || options.metadata["idempotency-key"] != nil
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
