import NIOCore
import NIOPosix
import Synchronization

/// One endpoint's connection: connected lazily on the first call, shared by all calls (they are multiplexed as
/// streams), replaced after GOAWAY or a close, and reconnected with exponential backoff and jitter after a
/// failure. While backing off, calls fail at once with a retryable UNAVAILABLE rather than wait.
final class ClientConnection: Sendable {
    let endpoint: Endpoint
    private let group: any EventLoopGroup
    private let configuration: ClientConfiguration
    private let state = Mutex(State.idle(failures: 0))
    private let tokens = Atomic<UInt64>(0)

    struct Ready: Sendable {
        let channel: any Channel
        let handler: NIOLoopBound<ClientConnectionHandler>
    }

    private enum State {
        case idle(failures: Int)
        case connecting(EventLoopFuture<Ready>)
        case ready(Ready)
        case backoff(until: ContinuousClock.Instant, failures: Int, reason: String)
        case closed
    }

    init(endpoint: Endpoint, group: any EventLoopGroup, configuration: ClientConfiguration) {
        self.endpoint = endpoint
        self.group = group
        self.configuration = configuration
    }

    // MARK: calls

    func unary(_ frame: ByteBuffer, timeout: Duration?) async throws -> ByteBuffer {
        let ready = try await self.ready()
        let token = tokens.wrappingAdd(1, ordering: .relaxed).newValue
        let handler = ready.handler
        let outcome = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<ClientConnectionHandler.Outcome, Never>) in
                handler.eventLoop.execute {
                    handler.value.startUnary(frame, token: token, timeout: timeout, continuation: continuation)
                }
            }
        } onCancel: {
            handler.eventLoop.execute { handler.value.cancel(token: token) }
        }
        switch outcome {
        case .response(let payload): return payload
        case .failed(let error, let retryable): throw retryable ? RetryableFailure(error: error) : error
        }
    }

    func serverStreaming(_ frame: ByteBuffer, timeout: Duration?) -> AsyncThrowingStream<ByteBuffer, any Error> {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let token = tokens.wrappingAdd(1, ordering: .relaxed).newValue
        let started = Mutex<NIOLoopBound<ClientConnectionHandler>?>(nil)
        let task = Task {
            do {
                let handler = try await self.ready().handler
                started.withLock { $0 = handler }
                handler.eventLoop.execute {
                    handler.value.startStreaming(frame, token: token, timeout: timeout, continuation: continuation)
                }
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { termination in
            guard case .cancelled = termination else { return }
            task.cancel()
            if let handler = started.withLock({ $0 }) {
                handler.eventLoop.execute { handler.value.cancel(token: token) }
            }
        }
        return stream
    }

    /// A client-streaming call: `write` sends encoded MESSAGE frames; the half-close follows when it returns.
    func clientStreaming(_ callFrame: ByteBuffer, timeout: Duration?,
                         write: @Sendable (@escaping @Sendable (ByteBuffer) async throws -> Void) async throws -> Void) async throws -> ByteBuffer {
        let handler = try await ready().handler
        let token = tokens.wrappingAdd(1, ordering: .relaxed).newValue
        let promise = handler.eventLoop.makePromise(of: ClientConnectionHandler.Outcome.self)
        handler.eventLoop.execute { handler.value.startRequestStream(callFrame, token: token, timeout: timeout, promise: promise) }
        let outcome = try await withTaskCancellationHandler {
            try await Self.writeRequests(handler, token, write)
            return try await promise.futureResult.get()
        } onCancel: {
            handler.eventLoop.execute { handler.value.cancel(token: token) }
        }
        switch outcome {
        case .response(let payload): return payload
        case .failed(let error, let retryable): throw retryable ? RetryableFailure(error: error) : error
        }
    }

    /// A bidirectional call: responses stream back while `write` sends requests.
    func bidirectionalStreaming(_ callFrame: ByteBuffer, timeout: Duration?,
                                write: @escaping @Sendable (@escaping @Sendable (ByteBuffer) async throws -> Void) async throws -> Void)
        -> AsyncThrowingStream<ByteBuffer, any Error> {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let token = tokens.wrappingAdd(1, ordering: .relaxed).newValue
        let task = Task {
            do {
                let handler = try await self.ready().handler
                handler.eventLoop.execute {
                    handler.value.startStreaming(callFrame, token: token, timeout: timeout, continuation: continuation)
                }
                try await withTaskCancellationHandler {
                    try await Self.writeRequests(handler, token, write)
                } onCancel: {
                    handler.eventLoop.execute { handler.value.cancel(token: token) }
                }
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination { task.cancel() }
        }
        return stream
    }

    /// Runs the caller's writer, then half-closes. A write to a call the server already ended stops the writer
    /// quietly: the call's own outcome (e.g. UNIMPLEMENTED) is what the caller must see.
    private static func writeRequests(_ handler: NIOLoopBound<ClientConnectionHandler>, _ token: UInt64,
                                      _ write: @Sendable (@escaping @Sendable (ByteBuffer) async throws -> Void) async throws -> Void) async throws {
        let send: @Sendable (ByteBuffer) async throws -> Void = { frame in
            let written = try await handler.eventLoop.submit { handler.value.sendRequest(token: token, frame: frame) }.get()
            guard let written else { throw CallAlreadyEnded() }
            try await written.get()
        }
        do {
            try await write(send)
            var halfClose = ByteBuffer()
            try FrameWriter.write(.message, flags: .endStream, streamID: 0, payload: nil, into: &halfClose)
            try await send(halfClose)
        } catch is CallAlreadyEnded {
        }
    }

    private struct CallAlreadyEnded: Error {}

    // MARK: connection state

    func ready() async throws -> Ready {
        enum Action {
            case use(Ready), wait(EventLoopFuture<Ready>), connect(EventLoopPromise<Ready>, failures: Int)
            case fail(RPCError, reconnectIn: Duration?)
        }
        let action: Action = state.withLock { state in
            switch state {
            case .ready(let ready):
                return .use(ready)
            case .connecting(let future):
                return .wait(future)
            case .idle(let failures):
                let promise = group.next().makePromise(of: Ready.self)
                state = .connecting(promise.futureResult)
                return .connect(promise, failures: failures)
            case .backoff(let until, let failures, let reason):
                let now = ContinuousClock.now
                guard now >= until else {
                    return .fail(RPCError(.unavailable, "cannot connect to \(endpoint): \(reason); next attempt in \(until - now)"),
                                 reconnectIn: until - now)
                }
                let promise = group.next().makePromise(of: Ready.self)
                state = .connecting(promise.futureResult)
                return .connect(promise, failures: failures)
            case .closed:
                return .fail(RPCError(.unavailable, "the client is closed"), reconnectIn: nil)
            }
        }
        switch action {
        case .use(let ready):
            return ready
        case .wait(let future):
            return try await future.get()
        case .fail(let error, let reconnectIn):
            throw RetryableFailure(error: error, reconnectIn: reconnectIn)
        case .connect(let promise, let failures):
            do {
                let ready = try await connect()
                let closed = state.withLock { state -> Bool in
                    if case .closed = state { return true }
                    state = .ready(ready)
                    return false
                }
                if closed { ready.channel.close(promise: nil) }
                promise.succeed(ready)
                return ready
            } catch {
                let delay = backoffDelay(afterFailures: failures + 1)
                let failure = RetryableFailure(error: RPCError(.unavailable, "cannot connect to \(endpoint): \(error)"),
                                               reconnectIn: delay)
                state.withLock { state in
                    if case .closed = state { return }
                    state = .backoff(until: .now + delay, failures: failures + 1, reason: "\(error)")
                }
                promise.fail(failure)
                throw failure
            }
        }
    }

    private func connect() async throws -> Ready {
        let configuration = self.configuration
        let unusable: @Sendable (ObjectIdentifier) -> Void = { [weak self] id in self?.channelUnusable(id) }
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(configuration.connectTimeout.nanoseconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let id = ObjectIdentifier(channel)
                    let handler = ClientConnectionHandler(keepalive: configuration.keepalive,
                                                          maxPendingCalls: configuration.maxPendingCalls) {
                        unusable(id)
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(FrameDecoder(expectPreface: false, maxFrameSize: configuration.maxFrameSize)))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let channel: any Channel
        switch endpoint {
        case .unix(let path): channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
        case .tcp(let host, let port):
            // A TCP-level option (`.tcpOption`): as `.socketOption` it would be SOL_SOCKET option 1, SO_DEBUG, which
            // needs CAP_NET_ADMIN and fails every connection of a non-root process.
            channel = try await bootstrap.channelOption(.tcpOption(.tcp_nodelay), value: 1).connect(host: host, port: port).get()
        }
        let handler = try await channel.pipeline.handler(type: ClientConnectionHandler.self).map {
            NIOLoopBound($0, eventLoop: channel.eventLoop)
        }.get()
        return Ready(channel: channel, handler: handler)
    }

    /// GOAWAY or close: the next call opens a new connection.
    private func channelUnusable(_ id: ObjectIdentifier) {
        state.withLock { state in
            if case .ready(let ready) = state, ObjectIdentifier(ready.channel) == id { state = .idle(failures: 0) }
        }
    }

    func backoffDelay(afterFailures failures: Int) -> Duration {
        let backoff = configuration.backoff
        let base = Double(backoff.initial.nanoseconds) * pow(backoff.multiplier, Double(max(0, failures - 1)))
        let capped = min(base, Double(backoff.maximum.nanoseconds))
        let jittered = capped * (1 + Double.random(in: -backoff.jitter...backoff.jitter))
        return .nanoseconds(Int64(max(0, jittered)))
    }

    func close() async {
        let channel: (any Channel)? = state.withLock { state in
            defer { state = .closed }
            if case .ready(let ready) = state { return ready.channel }
            return nil
        }
        try? await channel?.close()
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
