import NIOCore

/// The client side of one connection, on its event loop: assigns stream ids in write order, matches STATUS and
/// MESSAGE frames to waiting calls, enforces deadlines, sends CANCEL, answers and sends keepalive PINGs, and
/// fails what is pending when the connection goes away.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = FrameEvent
    typealias OutboundOut = ByteBuffer

    /// How a call ended, as seen by the connection.
    enum Outcome: Sendable {
        case response(ByteBuffer)                 // STATUS OK (payload = unary response)
        case failed(RPCError, retryable: Bool)    // retryable: the server never processed it
    }

    private enum Pending {
        case unary(UnsafeContinuation<Outcome, Never>)  // resumed exactly once, by `complete`
        case promise(EventLoopPromise<Outcome>)
        case streaming(AsyncThrowingStream<ByteBuffer, any Error>.Continuation)
    }

    private struct Call {
        var pending: Pending
        var token: UInt64
        var deadline: Scheduled<Void>?
        /// The CALL frame reached the socket. Until then a lost connection cannot have delivered it to a server,
        /// so the call is safe to send again on a fresh connection whatever the method (a transparent retry).
        var written = false
    }

    private var calls: [UInt32: Call] = [:]
    private var streamByToken: [UInt64: UInt32] = [:]
    private var nextStreamID: UInt32 = 1
    private var goAwayLastStreamID: UInt32?
    private var context: ChannelHandlerContext?
    private let keepalive: ClientConfiguration.Keepalive
    private let maxPendingCalls: Int
    /// Tokens cancelled before their call reached the loop (the cancel overtook the start).
    private var cancelledTokens: Set<UInt64> = []
    private var pingOutstanding: Scheduled<Void>?
    private var keepaliveTask: RepeatedTask?
    /// Tells the owning connection that this channel must not take new calls (GOAWAY or close).
    private let onUnusable: @Sendable () -> Void
    private let flusher = FlushCoalescer()

    init(keepalive: ClientConfiguration.Keepalive, maxPendingCalls: Int, onUnusable: @escaping @Sendable () -> Void) {
        self.keepalive = keepalive
        self.maxPendingCalls = maxPendingCalls
        self.onUnusable = onUnusable
    }

    var isAcceptingCalls: Bool { goAwayLastStreamID == nil && context != nil && nextStreamID < UInt32.max - 1 }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: WireProtocol.preface)), promise: nil)
        if let interval = keepalive.interval {
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            keepaliveTask = context.eventLoop.scheduleRepeatedTask(initialDelay: .nanoseconds(Int64(interval.nanoseconds)),
                                                                   delay: .nanoseconds(Int64(interval.nanoseconds))) { _ in
                handler.value.sendKeepalivePing()
            }
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepaliveTask?.cancel()
        pingOutstanding?.cancel()
        self.context = nil
        onUnusable()
        let calls = self.calls
        self.calls.removeAll()
        for (_, call) in calls {
            call.deadline?.cancel()
            let error = call.written ? RPCError(.unavailable, "the connection closed before the call completed")
                : RPCError(.unavailable, "the connection closed before the call was sent")
            complete(call.pending, .failed(error, retryable: !call.written))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close()
    }

    // MARK: starting and ending calls (on the loop)

    /// Writes a CALL frame (encoded by the caller, stream id patched here) and registers the waiter.
    func startUnary(_ frame: ByteBuffer, token: UInt64, timeout: Duration?, continuation: UnsafeContinuation<Outcome, Never>) {
        start(frame, token: token, timeout: timeout, pending: .unary(continuation))
    }

    func startStreaming(_ frame: ByteBuffer, token: UInt64, timeout: Duration?,
                        continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation) {
        start(frame, token: token, timeout: timeout, pending: .streaming(continuation))
    }

    /// A client-streaming call: the outcome arrives through `promise`, requests follow with `sendRequest`.
    func startRequestStream(_ frame: ByteBuffer, token: UInt64, timeout: Duration?, promise: EventLoopPromise<Outcome>) {
        start(frame, token: token, timeout: timeout, pending: .promise(promise))
    }

    /// One request frame (or the empty END_STREAM half-close) of a request-streaming call; nil when the call is over.
    func sendRequest(token: UInt64, frame: ByteBuffer) -> EventLoopFuture<Void>? {
        guard let id = streamByToken[token], let context else { return nil }
        var frame = frame
        frame.setInteger(id, at: frame.readerIndex + 8)
        let written = context.eventLoop.makePromise(of: Void.self)
        enqueue(frame, promise: written)
        return written.futureResult
    }

    private func start(_ frame: ByteBuffer, token: UInt64, timeout: Duration?, pending: Pending) {
        if cancelledTokens.remove(token) != nil {
            return complete(pending, .failed(RPCError(.cancelled, "the call was cancelled"), retryable: false))
        }
        guard let context, isAcceptingCalls else {
            return complete(pending, .failed(RPCError(.unavailable, "the connection is closing"), retryable: true))
        }
        guard calls.count < maxPendingCalls else {
            return complete(pending, .failed(RPCError(.resourceExhausted,
                                                      "more than \(maxPendingCalls) calls are pending on this connection"), retryable: false))
        }
        let id = nextStreamID
        nextStreamID += 2  // odd ids, like HTTP/2 client streams: easy to recognise in a capture
        var frame = frame
        frame.setInteger(id, at: frame.readerIndex + 8)
        var call = Call(pending: pending, token: token)
        if let timeout {
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            call.deadline = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.nanoseconds))) {
                handler.value.end(id, .failed(RPCError(.deadlineExceeded, "deadline exceeded after \(timeout)"), retryable: false),
                                  sendCancel: true)
            }
        }
        calls[id] = call
        streamByToken[token] = id
        let written = context.eventLoop.makePromise(of: Void.self)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        written.futureResult.whenSuccess { handler.value.calls[id]?.written = true }
        enqueue(frame, promise: written)
    }

    /// The caller's task was cancelled.
    func cancel(token: UInt64) {
        guard let id = streamByToken[token] else {
            // Either the cancel overtook the start (remember it), or the call just ended (harmless to remember);
            // the set is bounded so that the second case cannot grow it without limit.
            if cancelledTokens.count > 1024 { cancelledTokens.removeAll() }
            cancelledTokens.insert(token)
            return
        }
        end(id, .failed(RPCError(.cancelled, "the call was cancelled"), retryable: false), sendCancel: true)
    }

    private func end(_ id: UInt32, _ outcome: Outcome, sendCancel: Bool) {
        guard let call = calls.removeValue(forKey: id) else { return }
        streamByToken.removeValue(forKey: call.token)
        call.deadline?.cancel()
        if sendCancel, let context {
            var buffer = context.channel.allocator.buffer(capacity: WireProtocol.headerSize)
            try? FrameWriter.write(.cancel, streamID: id, payload: nil, into: &buffer)
            enqueue(buffer)
        }
        complete(call.pending, outcome)
    }

    private func complete(_ pending: Pending, _ outcome: Outcome) {
        switch (pending, outcome) {
        case (.unary(let continuation), _):
            continuation.resume(returning: outcome)
        case (.promise(let promise), _):
            promise.succeed(outcome)
        case (.streaming(let continuation), .response):
            continuation.finish()
        case (.streaming(let continuation), .failed(let error, let retryable)):
            continuation.finish(throwing: retryable ? RetryableFailure(error: error) : error)
        }
    }

    // MARK: reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .frame(let frame) = unwrapInboundIn(data) else {
            // A frame over our limit: the server broke the SETTINGS we sent; fail that stream.
            if case .oversized(_, let id, let length) = unwrapInboundIn(data), id != 0 {
                end(id, .failed(RPCError(.resourceExhausted, "response frame of \(length) bytes is over the limit"), retryable: false),
                    sendCancel: true)
            }
            return
        }
        switch frame.type {
        case .status:
            let status: RPCV1.Status
            do {
                status = try RPCV1.Status(serializedBytes: frame.meta)
            } catch {
                return end(frame.streamID, .failed(RPCError(.internal, "malformed STATUS from the server: \(error)"), retryable: false),
                           sendCancel: false)
            }
            if status.code == 0 {
                end(frame.streamID, .response(frame.payload), sendCancel: false)
            } else {
                var trailers = Metadata()
                for entry in status.trailers { trailers.add(entry.key, bytes: entry.value) }
                let error = RPCError(StatusCode(wireValue: status.code), status.message, details: status.details, trailers: trailers)
                end(frame.streamID, .failed(error, retryable: false), sendCancel: false)
            }
        case .message:
            if case .streaming(let continuation)? = calls[frame.streamID]?.pending {
                continuation.yield(frame.payload)
            }
        case .ping:
            if frame.flags.contains(.ack) {
                pingOutstanding?.cancel()
                pingOutstanding = nil
            } else {
                var buffer = context.channel.allocator.buffer(capacity: 20)
                try? FrameWriter.write(.ping, flags: .ack, streamID: 0, meta: Optional<RPCV1.Status>.none,
                                       rawPayload: frame.payload, into: &buffer)
                enqueue(buffer)
            }
        case .goAway:
            let goAway = (try? RPCV1.GoAway(serializedBytes: frame.meta)) ?? RPCV1.GoAway()
            goAwayLastStreamID = goAway.lastStreamID
            onUnusable()
            // Calls the server never saw are safe to send elsewhere.
            for id in calls.keys where id > goAway.lastStreamID {
                end(id, .failed(RPCError(.unavailable, "server is going away: \(goAway.message)"), retryable: true), sendCancel: false)
            }
            if calls.isEmpty { close() }
        default:
            break  // SETTINGS, HEADERS and unknown types need nothing from us
        }
        if goAwayLastStreamID != nil && calls.isEmpty { close() }
    }

    /// CANCELs and PING acks written while reading leave together at the end of the read burst.
    func channelReadComplete(context: ChannelHandlerContext) {
        flushNow()
        context.fireChannelReadComplete()
    }

    private func sendKeepalivePing() {
        guard let context, pingOutstanding == nil else { return }
        var buffer = context.channel.allocator.buffer(capacity: 20)
        try? FrameWriter.write(.ping, streamID: 0, meta: Optional<RPCV1.Status>.none,
                               rawPayload: ByteBuffer(integer: UInt64.random(in: .min ... .max)), into: &buffer)
        enqueue(buffer)
        flushNow()
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        pingOutstanding = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(keepalive.timeout.nanoseconds))) {
            handler.value.keepaliveTimedOut()
        }
    }

    /// No answer to a PING: the peer is gone (or the path to it is). Say so and close; pending calls fail with UNAVAILABLE.
    private func keepaliveTimedOut() {
        guard let context else { return }
        var goAway = context.channel.allocator.buffer(capacity: 64)
        try? FrameWriter.write(.goAway, streamID: 0,
                               meta: RPCV1.GoAway(code: GoAwayCode.keepaliveTimeout.rawValue, message: "no answer to PING"),
                               payload: nil, into: &goAway)
        enqueue(goAway)
        close()
    }

    // MARK: writing

    /// Writes a frame; a flush follows once the work already queued on the event loop is done (``FlushCoalescer``).
    private func enqueue(_ frame: ByteBuffer, promise: EventLoopPromise<Void>? = nil) {
        flusher.write(frame, promise: promise, context: context)
    }

    private func flushNow() { flusher.flush(context) }

    private func close() { flusher.close(context) }
}

/// An UNAVAILABLE that happened before any server processed the call: safe to send again on another connection.
struct RetryableFailure: Error {
    let error: RPCError
    /// Set when no connection could be made: when the next connection attempt is due (a caller that waits for
    /// ready sleeps that long instead of failing).
    var reconnectIn: Duration? = nil
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
