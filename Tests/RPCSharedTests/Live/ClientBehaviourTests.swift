import AfterSaleTestSupport
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing
@testable import RPCShared

@Suite(.timeLimit(.minutes(1))) struct ClientBehaviourTests {
    typealias Echo = TestingV1.Echo

    @Test func roundRobinAcrossEndpoints() async throws {
        let first = try await LiveServer.start(.unix)
        let second = try await LiveServer.start(.tcp)
        let client = RPCClient(endpoints: [first.endpoint, second.endpoint])
        for _ in 0..<10 { _ = try await Echo.Client(transport: client).say(.init(text: "x")) }
        #expect(first.echo.completed.value == 5 && second.echo.completed.value == 5)

        // one endpoint down: calls that cannot be sent go to the other one
        await first.stop()
        for _ in 0..<6 { _ = try await Echo.Client(transport: client).say(.init(text: "x")) }
        #expect(second.echo.completed.value == 11)
        await client.close()
        await second.stop()
    }

    @Test func keepaliveDetectsAPeerThatStoppedAnswering() async throws {
        // A "server" that accepts, reads and never answers: not even PINGs.
        let path = temporarySocketPath()
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(unixDomainSocketPath: path).get()
        var configuration = ClientConfiguration()
        configuration.keepalive.interval = .milliseconds(100)
        configuration.keepalive.timeout = .milliseconds(100)
        let client = RPCClient(endpoints: [.unix(path: path)], configuration: configuration)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try await Echo.Client(transport: client).say(.init(text: "hello?"))
            Issue.record("a silent server cannot answer")
        } catch let error as RPCError {
            #expect(error.code == .unavailable)
        }
        // Without keepalive the call would wait forever (it has no deadline); the bound leaves room for a loaded machine.
        #expect(clock.now - start < .seconds(30))
        await client.close()
        try await silent.close()
    }

    @Test func pendingCallsAreBounded() async throws {
        let live = try await LiveServer.start(.unix)
        let client = live.client { $0.maxPendingCalls = 4 }
        let echo = Echo.Client(transport: client)
        // Four calls the server holds until cancelled fill the client's budget; every further call is refused at
        // once, however slowly this (loaded) machine starts them.
        let held = (0..<4).map { _ in Task { try await echo.say(.init(sleepMillis: 60_000)) } }
        try await waitUntil { live.server.activeCalls == 4 }
        for _ in 0..<3 {
            do {
                _ = try await echo.say(.init(text: "one too many"))
                Issue.record("a fifth pending call must be refused")
            } catch let error as RPCError {
                #expect(error.code == .resourceExhausted)
            }
        }
        for call in held { call.cancel() }
        try await waitUntil { live.server.activeCalls == 0 }
        #expect(try await echo.say(.init(text: "room again")).text == "room again")
        await client.close()
        await live.stop()
    }

    @Test func serverConcurrencyLimit() async throws {
        let live = try await LiveServer.start(.tcp) { $0.maxConcurrentStreams = 2 }
        let client = live.client()
        let echo = Echo.Client(transport: client)
        let held = (0..<2).map { _ in Task { try await echo.say(.init(sleepMillis: 30_000)) } }  // occupy both streams
        try await waitUntil { live.server.activeCalls == 2 }
        await #expect(throws: RPCError(.resourceExhausted, "more than 2 concurrent calls on one connection")) {
            try await echo.say(.init(text: "third"))
        }
        for call in held { call.cancel() }
        try await waitUntil { live.server.activeCalls == 0 }
        #expect(try await echo.say(.init(text: "fourth")).text == "fourth")
        await client.close()
        await live.stop()
    }

    @Test func serviceLifecycleDrainsOnGracefulShutdown() async throws {
        let live = try await LiveServer.start(.unix)
        let client = live.client()
        let group = ServiceGroup(services: [live.server], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        let inFlight = Task { try await Echo.Client(transport: client).say(.init(text: "drained", sleepMillis: 200)) }
        try await waitUntil { live.echo.started.value == 1 }
        await group.triggerGracefulShutdown()
        #expect(try await inFlight.value.text == "drained")
        try await running.value
        #expect(live.server.connectionCount == 0)
        await client.close()
    }
}
