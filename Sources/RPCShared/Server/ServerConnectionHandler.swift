import Logging
import NIOCore

/// Serves the calls of one connection. Lives on the connection's event loop; each call's handler runs as a
/// Swift task (on the same loop by default), and everything about streams — ids, limits, deadlines,
/// cancellation, drain — is decided here, on the loop, without locks.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = FrameEvent
    typealias OutboundOut = ByteBuffer

    private struct ActiveStream {
        var path: String
        var started: ContinuousClock.Instant
        var task: Task<Void, Never>?
        var deadline: Scheduled<Void>?
        /// Open request stream of a client-streaming or bidirectional call.
        var requests: AsyncThrowingStream<ByteBuffer, any Error>.Continuation?

        func stop() {
            task?.cancel()
            deadline?.cancel()
            requests?.finish(throwing: CancellationError())
        }
    }

    private let router: ServiceRouter
    private let configuration: ServerConfiguration
    private let executor: EventLoopTaskExecutor?
    private let stats: ServerStats
    private let metrics: ServerMetrics
    private var streams: [UInt32: ActiveStream] = [:]
    private var lastStreamID: UInt32 = 0
    private var draining = false
    private let knownPeer: PeerCredentials?
    /// When the last complete frame arrived (or the connection was accepted), for ``ServerConfiguration/idleTimeout``.
    private var lastFrameAt = NIODeadline.now()
    private var idleCheck: RepeatedTask?
    /// The client's own max_frame_size (its SETTINGS), applied to what we send it.
    private var peerMaxFrameSize = WireProtocol.defaultMaxFrameSize
    private var context: ChannelHandlerContext?
    private var peer = "unknown"
    private let flusher = FlushCoalescer()

    /// - Parameter peer: who connected, when the caller has read it already (otherwise read when added).
    init(router: ServiceRouter, configuration: ServerConfiguration, executor: EventLoopTaskExecutor?, stats: ServerStats,
         metrics: ServerMetrics, peer: PeerCredentials? = nil) {
        self.knownPeer = peer
        self.metrics = metrics
        self.router = router
        self.configuration = configuration
        self.executor = executor
        self.stats = stats
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        peer = (knownPeer ?? PeerCredentials.of(context.channel, listening: configuration.endpoint)).description
    }

    func channelActive(context: ChannelHandlerContext) {
        let settings = RPCV1.Settings(maxFrameSize: UInt32(configuration.maxFrameSize),
                                      maxConcurrentStreams: UInt32(configuration.maxConcurrentStreams),
                                      maxMetaSize: UInt32(configuration.maxMetaSize))
        write(.settings, streamID: 0, meta: settings)
        flushNow()
        if let idle = configuration.idleTimeout {
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let period = TimeAmount.nanoseconds(max(1_000_000, idle.nanoseconds / 4))
            idleCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
                handler.value.closeIfIdle(after: .nanoseconds(idle.nanoseconds))
            }
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        // The client vanished: nobody is waiting for these calls any more.
        for (_, stream) in streams {
            stream.stop()
            record(stream, .cancelled)
        }
        stats.callsEnded(streams.count)
        streams.removeAll()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .frame(let frame):
            lastFrameAt = .now()
            switch frame.type {
            case .call: startCall(frame)
            case .cancel: cancel(frame.streamID)
            case .ping:
                guard frame.payload.readableBytes == 8 else {
                    return goAway(.protocolError, "PING payload must be 8 bytes, not \(frame.payload.readableBytes)", close: true)
                }
                if !frame.flags.contains(.ack) { writeRaw(.ping, flags: .ack, streamID: 0, payload: frame.payload) }
            case .settings:
                guard let settings = try? RPCV1.Settings(serializedBytes: frame.meta) else {
                    return goAway(.protocolError, "malformed SETTINGS", close: true)
                }
                if settings.maxFrameSize > 0 {
                    peerMaxFrameSize = min(Int(settings.maxFrameSize), WireProtocol.hardFrameSizeCap)
                }
            case .message:
                receiveRequest(frame)
            default:
                break  // SETTINGS, PING acks, GOAWAY from a client, and unknown types need nothing from us
            }
        case .oversized(let type, let streamID, let length):
            let reason = "frame of \(length) bytes exceeds max_frame_size \(configuration.maxFrameSize)"
            if streamID == 0 {
                goAway(.frameSizeError, reason, close: true)
            } else if type == .call {
                guard acceptStreamID(streamID) else { return }
                writeStatus(streamID, .resourceExhausted, reason)
            } else if streams[streamID] != nil {
                fail(streamID, .resourceExhausted, reason)
            }
        }
    }

    /// Answers produced while reading (errors, PING acks) go out together at the end of the read burst.
    func channelReadComplete(context: ChannelHandlerContext) {
        flushNow()
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? FrameError {
            goAway(error.code, error.message, close: true)
        } else {
            close()
        }
    }

    // MARK: calls

    private func acceptStreamID(_ id: UInt32) -> Bool {
        guard id > lastStreamID else {
            goAway(.protocolError, "stream id \(id) is not above the last one (\(lastStreamID))", close: true)
            return false
        }
        lastStreamID = id
        return true
    }

    private func startCall(_ frame: Frame) {
        let id = frame.streamID
        guard acceptStreamID(id), let context else { return }
        if draining {
            return writeStatus(id, .unavailable, "server is shutting down; the call was not processed and may be retried")
        }
        guard streams.count < configuration.maxConcurrentStreams else {
            return writeStatus(id, .resourceExhausted, "more than \(configuration.maxConcurrentStreams) concurrent calls on one connection")
        }
        guard !frame.flags.contains(.compressed) else {
            // The caller asked for something this server does not do: UNIMPLEMENTED, as gRPC answers an unsupported
            // `grpc-encoding`. INTERNAL would say the bug is ours.
            return writeStatus(id, .unimplemented, "compression is not supported")
        }
        let header: RPCV1.CallHeader
        do {
            header = try RPCV1.CallHeader(serializedBytes: frame.meta)
        } catch {
            return writeStatus(id, .invalidArgument, "malformed call header: \(error)")
        }
        guard let method = router.methods[header.method] else {
            return writeStatus(id, .unimplemented, "unknown method \(header.method)")
        }

        var metadata = Metadata()
        for entry in header.metadata { metadata.add(entry.key, bytes: entry.value) }
        let deadline = header.timeoutMicros > 0 ? ContinuousClock.now + .microseconds(Int64(clamping: header.timeoutMicros)) : nil
        let (callContext, trace) = CallSetup.context(method: method.descriptor, metadata: metadata, deadline: deadline, peer: peer,
                                                     traceparent: header.traceparent, logger: configuration.logger)

        var stream = ActiveStream(path: header.method, started: .now)
        var requests: RequestStream<ByteBuffer>?
        if method.handler.streamsRequests {
            let (requestStream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
            stream.requests = continuation
            requests = RequestStream(requestStream)
        }
        if header.timeoutMicros > 0 {
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            stream.deadline = context.eventLoop.scheduleTask(in: .microseconds(Int64(clamping: header.timeoutMicros))) {
                handler.value.expire(id)
            }
        }
        let call = CallRunner(streamID: id, method: method, request: frame.payload, requests: requests, context: callContext, trace: trace,
                              interceptors: configuration.interceptors, allocator: context.channel.allocator,
                              connection: NIOLoopBound(self, eventLoop: context.eventLoop))
        // The task cannot end the call before this returns: it reaches `finish` through this event loop.
        if let executor {
            stream.task = Task(executorPreference: executor) { await call.run() }
        } else {
            stream.task = Task { await call.run() }
        }
        streams[id] = stream
        stats.callsStarted()
    }

    /// A call's final frame, from its task (on this loop).
    func finish(_ id: UInt32, statusFrame: ByteBuffer, code: StatusCode) {
        guard let stream = streams.removeValue(forKey: id) else { return }  // expired or cancelled already
        stream.deadline?.cancel()
        stream.requests?.finish()
        stats.callsEnded(1)
        record(stream, code)
        if statusFrame.readableBytes - 4 > peerMaxFrameSize {
            writeStatus(id, .resourceExhausted,
                        "the response frame of \(statusFrame.readableBytes - 4) bytes exceeds the client's max_frame_size \(peerMaxFrameSize)")
        } else {
            enqueue(statusFrame)
        }
        closeIfDrained()
    }

    /// A streamed response message, from its task (on this loop). Fails when the call is over.
    func send(_ id: UInt32, messageFrame: ByteBuffer) -> EventLoopFuture<Void>? {
        guard streams[id] != nil, let context else { return nil }
        if messageFrame.readableBytes - 4 > peerMaxFrameSize {
            fail(id, .resourceExhausted,
                 "a response frame of \(messageFrame.readableBytes - 4) bytes exceeds the client's max_frame_size \(peerMaxFrameSize)")
            return nil
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        enqueue(messageFrame, promise: written)
        return written.futureResult
    }

    /// A request of a client-streaming or bidirectional call; END_STREAM (with no message) half-closes.
    private func receiveRequest(_ frame: Frame) {
        if frame.flags.contains(.compressed), streams[frame.streamID] != nil {
            return fail(frame.streamID, .unimplemented, "compression is not supported")
        }
        guard let continuation = streams[frame.streamID]?.requests else {
            if streams[frame.streamID] != nil {
                fail(frame.streamID, .invalidArgument, "MESSAGE frame on a call that does not stream requests")
            }
            return
        }
        if frame.flags.contains(.endStream) {
            streams[frame.streamID]?.requests = nil
            continuation.finish()
        } else {
            continuation.yield(frame.payload)
        }
    }

    private func expire(_ id: UInt32) {
        guard let stream = streams.removeValue(forKey: id) else { return }
        stream.stop()
        stats.callsEnded(1)
        record(stream, .deadlineExceeded)
        writeStatus(id, .deadlineExceeded, "deadline exceeded")
        closeIfDrained()
    }

    private func cancel(_ id: UInt32) {
        guard let stream = streams.removeValue(forKey: id) else { return }
        stream.stop()
        stats.callsEnded(1)
        record(stream, .cancelled)
        closeIfDrained()
    }

    private func fail(_ id: UInt32, _ code: StatusCode, _ message: String) {
        guard let stream = streams.removeValue(forKey: id) else { return }
        stream.stop()
        stats.callsEnded(1)
        record(stream, code)
        writeStatus(id, code, message)
        closeIfDrained()
    }

    /// Every call that started ends exactly once, through one of the paths above: counted here.
    private func record(_ stream: ActiveStream, _ code: StatusCode) {
        metrics.record(path: stream.path, code: code, duration: .now - stream.started)
    }

    // MARK: drain

    /// Graceful shutdown: GOAWAY with the last accepted stream; calls up to it finish, newer ones are refused.
    func beginDrain() {
        guard !draining else { return }
        draining = true
        goAway(.noError, "server is shutting down", close: false)
        closeIfDrained()
    }

    func closeChannel() { close() }

    /// No call open and no complete frame for `timeout`: GOAWAY (nothing was accepted that it cuts off) and close.
    private func closeIfIdle(after timeout: TimeAmount) {
        guard streams.isEmpty, NIODeadline.now() - lastFrameAt >= timeout, context != nil else { return }
        idleCheck?.cancel()
        metrics.idleConnectionClosed()
        goAway(.noError, "connection idle for \(Duration.nanoseconds(timeout.nanoseconds)) with no call open", close: true)
    }

    private func closeIfDrained() {
        if draining && streams.isEmpty { close() }
    }

    private func close() { flusher.close(context) }

    // MARK: writing

    private func goAway(_ code: GoAwayCode, _ message: String, close: Bool) {
        let frame = RPCV1.GoAway(lastStreamID: lastStreamID, code: code.rawValue, message: message)
        write(.goAway, streamID: 0, meta: frame)
        if close { self.close() } else { flushNow() }
    }

    private func writeStatus(_ id: UInt32, _ code: StatusCode, _ message: String) {
        write(.status, flags: .endStream, streamID: id, meta: RPCV1.Status(code: code.rawValue, message: message))
    }

    private func write(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32, meta: some ProtoMessage) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        do {
            try FrameWriter.write(type, flags: flags, streamID: streamID, meta: meta, payload: nil, into: &buffer)
        } catch {
            return close()
        }
        enqueue(buffer)
    }

    private func writeRaw(_ type: FrameType, flags: FrameFlags, streamID: UInt32, payload: ByteBuffer) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: 12 + payload.readableBytes)
        try? FrameWriter.write(type, flags: flags, streamID: streamID, meta: Optional<RPCV1.Status>.none,
                               rawPayload: payload, into: &buffer)
        enqueue(buffer)
    }

    /// Writes a frame; a flush follows once the work already queued on the event loop is done (``FlushCoalescer``).
    private func enqueue(_ frame: ByteBuffer, promise: EventLoopPromise<Void>? = nil) {
        flusher.write(frame, promise: promise, context: context)
    }

    private func flushNow() { flusher.flush(context) }
}

/// The methods a server serves, by path.
struct ServiceRouter: Sendable {
    let methods: [String: RegisteredMethod]
    let services: [ServiceDefinition]

    init(_ services: [ServiceDefinition]) {
        self.services = services
        var methods: [String: RegisteredMethod] = [:]
        for service in services {
            for method in service.methods { methods[method.descriptor.path] = method }
        }
        self.methods = methods
    }
}
