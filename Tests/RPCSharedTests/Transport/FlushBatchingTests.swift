import Logging
import NIOCore
import NIOEmbedded
import Synchronization
import Testing
@testable import RPCShared
import AfterSaleTestSupport

/// How the connection handlers flush, in an EmbeddedChannel: the answers to the calls of one read leave in one
/// flush, an answer produced later still leaves without anything else happening on the connection, and every log
/// line a handler writes carries its call's keys.
@Suite struct FlushBatchingTests {
    typealias Echo = TestingV1.Echo

    // MARK: server

    @Test func answersToTheCallsOfOneReadAreFlushedTogether() throws {
        let server = try ServerUnderTest(services: [TestServices.echoOnly])
        try server.read(WireProtocol.preface + server.call(stream: 1, text: "a") + server.call(stream: 3, text: "b")
                        + server.call(stream: 5, text: "c"))
        #expect(server.recorder.flushes.isEmpty)            // the handlers have not run yet
        server.channel.embeddedEventLoop.run()              // they run, one after the other, then the flush
        try #require(server.recorder.flushes.count == 1)
        let frames = server.recorder.flushes[0]
        #expect(frames.map(\.type) == [FrameType.status.rawValue, FrameType.status.rawValue, FrameType.status.rawValue])
        #expect(frames.map(\.stream) == [1, 3, 5])
        #expect(try frames.map { try TestingV1.EchoResponse(serializedBytes: $0.payload).text } == ["a", "b", "c"])
        #expect(server.recorder.unflushed.isEmpty)
    }

    @Test func aLongRunOfAnswersIsFlushedInGroups() throws {
        let server = try ServerUnderTest(services: [TestServices.echoOnly])
        var bytes = WireProtocol.preface
        for index in 0..<20 { bytes += try server.call(stream: UInt32(2 * index + 1), text: "\(index)") }
        try server.read(bytes)
        server.channel.embeddedEventLoop.run()
        // The peer gets the first answers while the rest are being produced.
        let size = FlushCoalescer.maxFramesPerFlush
        #expect(server.recorder.flushes.map(\.count) == [size, size, 20 - 2 * size])
        let streams: [UInt32] = server.recorder.flushes.flatMap { frames in frames.map(\.stream) }
        let expected: [UInt32] = (0..<20).map { index in UInt32(2 * index + 1) }
        #expect(streams == expected)
    }

    @Test func anAnswerProducedLaterIsFlushedWithoutFurtherReads() throws {
        let gate = Gate()
        let server = try ServerUnderTest(services: [gate.service])
        try server.read(WireProtocol.preface + server.call(stream: 1, text: "late"))
        server.channel.embeddedEventLoop.run()
        #expect(gate.waiting)
        #expect(server.recorder.flushes.isEmpty && server.recorder.unflushed.isEmpty)

        gate.open()                                          // the handler resumes on the connection's loop
        server.channel.embeddedEventLoop.run()
        try #require(server.recorder.flushes.count == 1)
        #expect(server.recorder.flushes[0].map(\.stream) == [1])
        #expect(try TestingV1.EchoResponse(serializedBytes: server.recorder.flushes[0][0].payload).text == "late")
        #expect(server.recorder.unflushed.isEmpty)
    }

    @Test func answersWrittenWhileReadingAreFlushedAtTheEndOfTheRead() throws {
        let server = try ServerUnderTest(services: [TestServices.echoOnly])
        let unknown = try RPCV1.CallHeader(method: "/nope.Service/Nothing").serializedBytes()
        try server.read(WireProtocol.preface + frameBytes(type: 0x11, stream: 0, payload: [1, 2, 3, 4, 5, 6, 7, 8])
                        + frameBytes(type: 1, flags: 1, stream: 1, meta: unknown))
        // No event-loop tick has run: channelReadComplete flushed the PING ack and the UNIMPLEMENTED together.
        try #require(server.recorder.flushes.count == 1)
        #expect(server.recorder.flushes[0].map(\.type) == [FrameType.ping.rawValue, FrameType.status.rawValue])
        #expect(try RPCV1.Status(serializedBytes: server.recorder.flushes[0][1].meta).code == StatusCode.unimplemented.rawValue)
    }

    @Test func everyLogLineOfACallCarriesItsKeys() throws {
        let lines = LogCapture()
        let server = try ServerUnderTest(services: [TestServices.logging], logger: Logger(label: "test") { _ in
            var handler = CapturingLogHandler(lines)
            handler.metadata = ["service": "echo", "method": "overridden by the call"]
            return handler
        })
        let header = try RPCV1.CallHeader(method: Echo.Method.say.descriptor.path,
                                          metadata: [.init(key: "x-request-id", value: Array("req-42".utf8))],
                                          traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").serializedBytes()
        try server.read(WireProtocol.preface + frameBytes(type: 1, flags: 1, stream: 1, meta: header,
                                                          payload: try TestingV1.EchoRequest(text: "hi").serializedBytes()))
        server.channel.embeddedEventLoop.run()
        let logged = lines.lines.filter { $0.message == "handling" || $0.message == "handled" }
        try #require(logged.count == 2)
        for line in logged {
            #expect(line.metadata["request-id"] == "req-42")
            #expect(line.metadata["trace-id"] == "4bf92f3577b34da6a3ce929d0e0e4736")
            #expect(line.metadata["method"] == .string(Echo.Method.say.descriptor.path))
            #expect(line.metadata["peer"] == .string(server.peer))
            #expect(line.metadata["service"] == "echo")
        }
        #expect(logged[0].metadata["user"] == nil && logged[1].metadata["user"] == "alice")  // set by the handler
        #expect(logged[1].metadata["step"] == "2")                                           // the line's own
        #expect(server.recorder.flushes.count == 1)
    }

    // MARK: client

    @Test func callsStartedInOneTickLeaveInOneFlush() throws {
        let client = try ClientUnderTest()
        var outcomes: [EventLoopFuture<ClientConnectionHandler.Outcome>] = []
        for token in 1...3 {
            let promise = client.channel.eventLoop.makePromise(of: ClientConnectionHandler.Outcome.self)
            client.channel.eventLoop.assumeIsolated().execute {
                client.handler.startRequestStream(client.callFrame(), token: UInt64(token), timeout: nil, promise: promise)
            }
            outcomes.append(promise.futureResult)
        }
        client.channel.embeddedEventLoop.run()
        try #require(client.recorder.flushes.count == 1)
        #expect(client.recorder.flushes[0].map(\.stream) == [1, 3, 5])   // ids assigned in write order

        // A lone call later: flushed on its own, at once.
        let promise = client.channel.eventLoop.makePromise(of: ClientConnectionHandler.Outcome.self)
        client.handler.startRequestStream(client.callFrame(), token: 4, timeout: nil, promise: promise)
        #expect(client.recorder.flushes.count == 1 && client.recorder.unflushed.count == 1)
        client.channel.embeddedEventLoop.run()
        #expect(client.recorder.flushes.count == 2 && client.recorder.flushes[1].map(\.stream) == [7])

        // Answers complete the calls; the connection closing fails the rest.
        var answers = ByteBuffer()
        for stream: UInt32 in [1, 5] {
            answers.writeBytes(frameBytes(type: FrameType.status.rawValue, flags: 1, stream: stream,
                                          meta: try RPCV1.Status(code: 0).serializedBytes()))
        }
        try client.channel.writeInbound(answers)
        if case .response? = try? outcomes[0].wait() {} else { Issue.record("call 1 should have succeeded") }
        if case .response? = try? outcomes[2].wait() {} else { Issue.record("call 5 should have succeeded") }
        _ = try? client.channel.finish()
        if case .failed(let error, _)? = try? outcomes[1].wait() { #expect(error.code == .unavailable) } else {
            Issue.record("call 3 should have failed when the connection closed")
        }
        if case .failed? = try? promise.futureResult.wait() {} else { Issue.record("call 7 should have failed") }
    }
}

// MARK: helpers

/// Records what reaches the socket: the frames of each flush, in order.
final class FlushRecorder: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    typealias Frame = (type: UInt8, flags: UInt8, stream: UInt32, meta: [UInt8], payload: [UInt8])

    private(set) var unflushed: [Frame] = []
    private(set) var flushes: [[Frame]] = []
    /// The first flush (the server's SETTINGS, the client's preface) is the connection's, not a call's.
    private var skipFirst: Bool

    init(skipFirst: Bool) { self.skipFirst = skipFirst }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        unflushed += parseFrames(Array(buffer.readableBytesView))
        context.write(data, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        if skipFirst {
            skipFirst = false
        } else if !unflushed.isEmpty {
            flushes.append(unflushed)
        }
        unflushed = []
        context.flush()
    }
}

/// A ServerConnectionHandler in an EmbeddedChannel, its handlers running as tasks on the embedded loop.
struct ServerUnderTest {
    let channel = EmbeddedChannel()
    let recorder = FlushRecorder(skipFirst: true)
    let peer = Endpoint.unix(path: "/tmp/flush-batching.sock").description

    init(services: [ServiceDefinition], logger: Logger? = nil) throws {
        var configuration = ServerConfiguration(endpoint: .unix(path: "/tmp/flush-batching.sock"))
        if let logger { configuration.logger = logger }
        let router = ServiceRouter(services)
        let handler = ServerConnectionHandler(router: router, configuration: configuration,
                                              executor: EventLoopTaskExecutor(channel.embeddedEventLoop), stats: ServerStats(),
                                              metrics: ServerMetrics(paths: Array(router.methods.keys), factory: configuration.metricsFactory))
        try channel.pipeline.syncOperations.addHandler(recorder)
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(expectPreface: true)))
        try channel.pipeline.syncOperations.addHandler(handler)
        channel.pipeline.fireChannelActive()
    }

    func read(_ bytes: [UInt8]) throws { try channel.writeInbound(ByteBuffer(bytes: bytes)) }

    func call(stream: UInt32, text: String) throws -> [UInt8] {
        let header = try RPCV1.CallHeader(method: TestingV1.Echo.Method.say.descriptor.path).serializedBytes()
        return frameBytes(type: 1, flags: 1, stream: stream, meta: header,
                          payload: try TestingV1.EchoRequest(text: text).serializedBytes())
    }
}

/// A ClientConnectionHandler in an EmbeddedChannel.
struct ClientUnderTest {
    let channel = EmbeddedChannel()
    let recorder = FlushRecorder(skipFirst: true)
    let handler = ClientConnectionHandler(keepalive: { var k = ClientConfiguration.Keepalive(); k.interval = nil; return k }(),
                                          maxPendingCalls: 100, onUnusable: {})

    init() throws {
        try channel.pipeline.syncOperations.addHandler(recorder)
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(expectPreface: false)))
        try channel.pipeline.syncOperations.addHandler(handler)
        channel.pipeline.fireChannelActive()
    }

    func callFrame() -> ByteBuffer {
        var buffer = ByteBuffer()
        try! FrameWriter.write(.call, streamID: 0, meta: RPCV1.CallHeader(method: TestingV1.Echo.Method.collect.descriptor.path),
                               payload: nil, into: &buffer)
        return buffer
    }
}

/// A unary Echo/Say that answers only when the test opens the gate.
final class Gate: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Void, Never>?, open: Bool)>((nil, false))

    var waiting: Bool { state.withLock { $0.continuation != nil } }

    func open() {
        let continuation = state.withLock { state in
            state.open = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume()
    }

    private func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.open { return true }
                state.continuation = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    var service: ServiceDefinition {
        ServiceDefinition(name: TestingV1.Echo.name, methods: [
            .unary(TestingV1.Echo.Method.say) { request, _ in
                await self.wait()
                return TestingV1.EchoResponse(text: request.text)
            },
        ])
    }
}

enum TestServices {
    /// Echo/Say that answers at once.
    static var echoOnly: ServiceDefinition {
        ServiceDefinition(name: TestingV1.Echo.name, methods: [
            .unary(TestingV1.Echo.Method.say) { request, _ in TestingV1.EchoResponse(text: request.text) },
        ])
    }

    /// Echo/Say that logs twice, setting a key of its own in between.
    static var logging: ServiceDefinition {
        ServiceDefinition(name: TestingV1.Echo.name, methods: [
            .unary(TestingV1.Echo.Method.say) { request, context in
                var logger = context.logger
                logger.info("handling")
                logger[metadataKey: "user"] = "alice"
                logger.info("handled", metadata: ["step": "2"])
                return TestingV1.EchoResponse(text: request.text)
            },
        ])
    }
}

final class LogCapture: Sendable {
    struct Line: Sendable {
        var message: String
        var metadata: Logger.Metadata
    }
    private let stored = Mutex<[Line]>([])
    var lines: [Line] { stored.withLock { $0 } }
    func append(_ line: Line) { stored.withLock { $0.append(line) } }
}

/// Keeps every line with its effective metadata (the handler's own, then the line's), as a real handler prints it.
struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    init(_ capture: LogCapture) { self.capture = capture }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        capture.append(.init(message: event.message.description,
                             metadata: metadata.merging(event.metadata ?? [:]) { _, line in line }))
    }
}
