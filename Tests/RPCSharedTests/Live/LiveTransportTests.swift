import Foundation
import NIOCore
import Testing
@testable import RPCShared
import AfterSaleTestSupport

/// Real servers on real sockets (a temporary Unix socket and 127.0.0.1:0), real clients.
@Suite(.timeLimit(.minutes(2))) struct LiveTransportTests {
    typealias Echo = TestingV1.Echo

    @Test(arguments: LiveServer.Transport.allCases)
    func unaryAndErrors(_ transport: LiveServer.Transport) async throws {
        let live = try await LiveServer.start(transport)
        let client = live.client()
        let echo = Echo.Client(transport: client)
        let response = try await echo.say(.init(text: "héllo"), options: .init(metadata: ["x-index": "7"]))
        #expect(response == .init(text: "héllo", index: 7))

        do {
            _ = try await echo.say(.init(failCode: StatusCode.failedPrecondition.rawValue))
            Issue.record("expected an error")
        } catch let error as RPCError {
            #expect(error.code == .failedPrecondition && error.message == "asked to fail")
            #expect(error.errorDetails?.reason == "TEST_FAILURE")
        }
        await client.close()
        await live.stop()
    }

    @Test(arguments: LiveServer.Transport.allCases)
    func serverStreaming(_ transport: LiveServer.Transport) async throws {
        let live = try await LiveServer.start(transport)
        let client = live.client()
        var indices: [Int32] = []
        for try await response in Echo.Client(transport: client).count(.init(text: "n", repeat: 50)) {
            indices.append(response.index)
        }
        #expect(indices == Array(0..<50))
        await client.close()
        await live.stop()
    }

    @Test(arguments: LiveServer.Transport.allCases)
    func clientAndBidirectionalStreaming(_ transport: LiveServer.Transport) async throws {
        let live = try await LiveServer.start(transport)
        let client = live.client()
        let echo = Echo.Client(transport: client)
        let joined = try await echo.collect { writer in
            for text in ["a", "b", "c"] { try await writer.write(.init(text: text)) }
        }
        #expect(joined == .init(text: "a+b+c", index: 3))
        #expect(try await echo.collect { _ in }.index == 0)     // an empty request stream is expressible

        var answers: [String] = []
        for try await response in echo.chat(requests: { writer in
            for text in ["x", "y"] { try await writer.write(.init(text: text)) }
        }) { answers.append(response.text) }
        #expect(answers == ["X", "Y"])

        // the same calls through the in-process transport
        let local = Echo.Client(transport: InProcessTransport(services: [live.echo.serviceDefinition]))
        #expect(try await local.collect { try await $0.write(.init(text: "z")) }.text == "z")
        await client.close()
        await live.stop()
    }

    @Test(arguments: LiveServer.Transport.allCases)
    func thousandConcurrentCallsOnOneConnection(_ transport: LiveServer.Transport) async throws {
        let live = try await LiveServer.start(transport)
        let client = live.client()
        let echo = Echo.Client(transport: client)
        let results = try await withThrowingTaskGroup(of: Int32.self) { group in
            for index in 0..<1000 {
                group.addTask {
                    try await echo.say(.init(text: "c", sleepMillis: 20), options: .init(metadata: ["x-index": "\(index)"])).index
                }
            }
            return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
        }
        #expect(results == Set(0..<1000))
        #expect(live.server.connectionCount == 1)
        await client.close()
        await live.stop()
    }

    @Test(arguments: LiveServer.Transport.allCases)
    func deadlineCancelsTheHandler(_ transport: LiveServer.Transport) async throws {
        let live = try await LiveServer.start(transport)
        let client = live.client()
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: RPCError.self) {
            try await Echo.Client(transport: client).say(.init(sleepMillis: 60_000), options: .init(timeout: .milliseconds(100)))
        }
        // Far below the handler's 60 s, with room for a loaded machine running the whole suite in parallel.
        #expect(clock.now - start < .seconds(20))
        try await waitUntil { live.echo.cancelled.value == 1 && live.server.activeCalls == 0 }
        await client.close()
        await live.stop()
    }

    @Test(arguments: LiveServer.Transport.allCases)
    func clientCancellationReachesTheHandler(_ transport: LiveServer.Transport) async throws {
        let live = try await LiveServer.start(transport)
        let client = live.client()
        let call = Task { try await Echo.Client(transport: client).say(.init(sleepMillis: 10_000)) }
        try await waitUntil { live.echo.started.value == 1 }
        call.cancel()
        let result = await call.result
        #expect(throws: RPCError(.cancelled, "the call was cancelled")) { try result.get() }
        try await waitUntil { live.echo.cancelled.value == 1 && live.server.activeCalls == 0 }
        await client.close()
        await live.stop()
    }

    @Test(arguments: LiveServer.Transport.allCases)
    func reconnectsAfterAServerRestart(_ transport: LiveServer.Transport) async throws {
        let path = temporarySocketPath()
        var live = try await LiveServer.start(transport, path: path)
        let endpoint = live.endpoint
        let client = RPCClient(endpoints: [endpoint], configuration: {
            var configuration = ClientConfiguration()
            configuration.backoff.initial = .milliseconds(10)
            configuration.backoff.maximum = .milliseconds(100)
            return configuration
        }())
        let echo = Echo.Client(transport: client)
        #expect(try await echo.say(.init(text: "before")).text == "before")
        await live.stop()
        await #expect(throws: RPCError.self) { try await echo.say(.init(text: "down")) }

        var port = 0
        if case .tcp(_, let bound) = endpoint { port = bound }
        live = try await LiveServer.start(transport, path: path) { configuration in
            if port != 0 { configuration.endpoint = .tcp(host: "127.0.0.1", port: port) }
        }
        let text = try await eventually { try await echo.say(.init(text: "after")).text }
        #expect(text == "after")
        await client.close()
        await live.stop()
    }

    @Test(arguments: LiveServer.Transport.allCases)
    func gracefulDrainFinishesInFlightCalls(_ transport: LiveServer.Transport) async throws {
        let live = try await LiveServer.start(transport)
        let client = live.client()
        let echo = Echo.Client(transport: client)
        let inFlight = Task { try await echo.say(.init(text: "slow", sleepMillis: 300)) }
        try await waitUntil { live.echo.started.value == 1 }
        let shutdown = Task { await live.server.shutdown(gracePeriod: .seconds(5)) }
        #expect(try await inFlight.value.text == "slow")      // finished during the drain
        await shutdown.value
        #expect(live.server.activeCalls == 0 && live.server.connectionCount == 0)
        await #expect(throws: RPCError.self) { try await echo.say(.init(text: "after")) }
        await client.close()
    }

    @Test(arguments: LiveServer.Transport.allCases)
    func oversizedFrameFailsOnlyItsCall(_ transport: LiveServer.Transport) async throws {
        let live = try await LiveServer.start(transport) { $0.maxFrameSize = 4096 }
        let client = live.client()
        let echo = Echo.Client(transport: client)
        await #expect(throws: RPCError.self) { try await echo.say(.init(blob: [UInt8](repeating: 7, count: 10_000))) }
        do {
            _ = try await echo.say(.init(blob: [UInt8](repeating: 7, count: 10_000)))
        } catch let error as RPCError {
            #expect(error.code == .resourceExhausted)
            #expect(error.message.contains("exceeds max_frame_size 4096"))
        }
        #expect(try await echo.say(.init(text: "small")).text == "small")   // same connection, still usable
        #expect(live.server.connectionCount == 1)
        await client.close()
        await live.stop()
    }

    @Test(arguments: LiveServer.Transport.allCases)
    func garbageGetsGoAwayAndAClose(_ transport: LiveServer.Transport) async throws {
        let live = try await LiveServer.start(transport)
        let reply = try await RawConnection.connect(live.endpoint).exchange(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        let frames = parseFrames(reply)
        let goAway = try #require(frames.first { $0.type == FrameType.goAway.rawValue })
        let message = try RPCV1.GoAway(serializedBytes: goAway.meta)
        #expect(message.code == GoAwayCode.protocolError.rawValue)
        #expect(message.message.contains("bad connection preface"))

        // a header that lies about its meta length, after a good preface
        let lie = WireProtocol.preface + [0, 0, 0, 8, 1, 1, 0xFF, 0xFF, 0, 0, 0, 1]
        let frames2 = parseFrames(try await RawConnection.connect(live.endpoint).exchange(lie))
        #expect(frames2.contains { $0.type == FrameType.goAway.rawValue })
        // a length over the hard cap
        let huge = WireProtocol.preface + [0xFF, 0xFF, 0xFF, 0xFF, 1, 1, 0, 0, 0, 0, 0, 1]
        let goAway3 = try #require(parseFrames(try await RawConnection.connect(live.endpoint).exchange(huge)).last)
        #expect(try RPCV1.GoAway(serializedBytes: goAway3.meta).code == GoAwayCode.frameSizeError.rawValue)
        await live.stop()
    }

    @Test(arguments: LiveServer.Transport.allCases)
    func vanishingClientLeaksNothing(_ transport: LiveServer.Transport) async throws {
        let live = try await LiveServer.start(transport)
        let header = try RPCV1.CallHeader(method: Echo.Method.say.descriptor.path).serializedBytes()
        let request = try TestingV1.EchoRequest(sleepMillis: 30_000).serializedBytes()
        let bytes = WireProtocol.preface + frameBytes(type: 1, flags: 1, stream: 1, meta: header, payload: request)
        _ = try await RawConnection.connect(live.endpoint).exchange(bytes, readUntilClose: false)  // reads SETTINGS, closes
        try await waitUntil { live.echo.started.value == 1 }
        try await waitUntil { live.echo.cancelled.value == 1 && live.server.activeCalls == 0 && live.server.connectionCount == 0 }
        await live.stop()
    }

    @Test func unknownMethodUnknownFrameTypesAndPing() async throws {
        let live = try await LiveServer.start(.unix)
        let header = try RPCV1.CallHeader(method: "/nope.Service/Nothing").serializedBytes()
        let bytes = WireProtocol.preface
            + frameBytes(type: 0x7F, stream: 0, payload: [1, 2, 3])                       // unknown type: ignored
            + frameBytes(type: 0x11, stream: 0, payload: [1, 2, 3, 4, 5, 6, 7, 8])        // PING (8 bytes, as required)
            + frameBytes(type: 1, flags: 1, stream: 1, meta: header)
            + frameBytes(type: 1, flags: 1, stream: 3, meta: [0xFF, 0xFF])                // malformed CallHeader
        let frames = parseFrames(try await RawConnection.connect(live.endpoint).exchange(bytes, limit: 200))
        #expect(frames.first?.type == FrameType.settings.rawValue)
        #expect(frames.contains { $0.type == 0x11 && $0.flags == FrameFlags.ack.rawValue && $0.payload == [1, 2, 3, 4, 5, 6, 7, 8] })
        let statuses = frames.filter { $0.type == FrameType.status.rawValue }
        #expect(try statuses.map { try RPCV1.Status(serializedBytes: $0.meta).code } ==
                [StatusCode.unimplemented.rawValue, StatusCode.invalidArgument.rawValue])
        await live.stop()
    }

    @Test func serverKeepsTheClientsLimitsAndRules() async throws {
        let live = try await LiveServer.start(.unix)
        let header = try RPCV1.CallHeader(method: Echo.Method.say.descriptor.path,
                                          metadata: [.init(key: "x-request-id", value: Array("req-7".utf8))]).serializedBytes()
        let big = try TestingV1.EchoRequest(blob: [UInt8](repeating: 1, count: 3000)).serializedBytes()
        let small = try TestingV1.EchoRequest(text: "ok").serializedBytes()
        let settings = try RPCV1.Settings(maxFrameSize: 1024).serializedBytes()
        let bytes = WireProtocol.preface
            + frameBytes(type: 0x10, stream: 0, meta: settings)                           // the client accepts ≤ 1 KiB
            + frameBytes(type: 1, flags: 1, stream: 1, meta: header, payload: big)         // echoes 3 KB back: too big
            + frameBytes(type: 1, flags: 1, stream: 3, meta: header, payload: small)
        let frames = parseFrames(try await RawConnection.connect(live.endpoint).exchange(bytes, limit: 150))
        let statuses = try frames.filter { $0.type == FrameType.status.rawValue }.map { try RPCV1.Status(serializedBytes: $0.meta) }
        #expect(statuses.map(\.code) == [StatusCode.resourceExhausted.rawValue, StatusCode.ok.rawValue])
        #expect(statuses[0].message.contains("exceeds the client's max_frame_size 1024"))
        #expect(statuses[1].trailers == [.init(key: "x-request-id", value: Array("req-7".utf8))])

        let badPing = WireProtocol.preface + frameBytes(type: 0x11, stream: 0, payload: [1, 2, 3])
        let goAway = try #require(parseFrames(try await RawConnection.connect(live.endpoint).exchange(badPing)).last)
        #expect(try RPCV1.GoAway(serializedBytes: goAway.meta).message.contains("PING payload must be 8 bytes"))
        await live.stop()
    }

    @Test func unixSocketModeAndStaleFiles() async throws {
        let path = temporarySocketPath()
        let live = try await LiveServer.start(.unix, path: path)
        var info = stat()
        #expect(lstat(path, &info) == 0 && info.st_mode & 0o777 == 0o660)
        // a second server on the same path is refused while the first is alive
        await #expect(throws: RPCError.self) { _ = try await LiveServer.start(.unix, path: path) }
        await live.stop()

        // a regular file is never replaced
        _ = FileManager.default.createFile(atPath: path, contents: Data("keep me".utf8))
        await #expect(throws: RPCError.self) { _ = try await LiveServer.start(.unix, path: path) }
        #expect(FileManager.default.contents(atPath: path) == Data("keep me".utf8))
        try FileManager.default.removeItem(atPath: path)
    }

    @Test func healthAndReflection() async throws {
        let live = try await LiveServer.start(.unix)
        let client = live.client()
        let health = HealthV1.Health.Client(transport: client)
        #expect(try await health.check(.init()).status == .serving)
        #expect(try await health.check(.init(service: Echo.name)).status == .serving)
        await #expect(throws: RPCError.self) { try await health.check(.init(service: "nope")) }

        var watched: [HealthV1.HealthCheckResponse.ServingStatus] = []
        for try await update in health.watch(.init(service: Echo.name)) {
            watched.append(update.status)
            if watched.count == 1 { live.server.health.set(Echo.name, .notServing) } else { break }
        }
        #expect(watched == [.serving, .notServing])

        let reflection = ReflectionV1.Reflection.Client(transport: client)
        let services = try await reflection.listServices(.init()).services.map(\.name)
        #expect(services == ["aftersale.health.v1.Health", "aftersale.reflection.v1.Reflection", "aftersale.testing.v1.Echo"])
        let collect = try await reflection.describeMethod(.init(method: "/aftersale.testing.v1.Echo/Collect"))
        #expect(collect.clientStreaming && !collect.serverStreaming)
        let count = try await reflection.describeMethod(.init(method: "aftersale.testing.v1.Echo.Count"))
        #expect(count.serverStreaming && count.inputType == "aftersale.testing.v1.EchoRequest")
        #expect(try await reflection.getFileDescriptorSet(.init()).fileDescriptorSet.count > 10_000)
        await client.close()
        await live.stop()
    }
}

func waitUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(timeout)")
            return
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

func eventually<T>(timeout: Duration = .seconds(10), _ body: () async throws -> T) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        do {
            return try await body()
        } catch {
            guard ContinuousClock.now < deadline else { throw error }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
