import AfterSaleTestSupport
import MetricsTestKit
import Testing
@testable import RPCShared

@Suite struct ObservabilityTests {
    typealias Echo = TestingV1.Echo

    /// A handler that calls another server while serving: the trace continues there as a child span.
    struct Relay: Echo.Handler {
        let downstream: Echo.Client
        func say(_ request: TestingV1.EchoRequest, context: ServerContext) async throws -> TestingV1.EchoResponse {
            let seen = try await downstream.say(.init(text: "traceparent?")).text
            return .init(text: context.traceparent + " " + seen)
        }
        func count(_ request: TestingV1.EchoRequest, responses: ResponseWriter<TestingV1.EchoResponse>, context: ServerContext) async throws {
            throw RPCError(.unimplemented, "not relayed")
        }
        func collect(_ requests: RequestStream<TestingV1.EchoRequest>, context: ServerContext) async throws -> TestingV1.EchoResponse {
            throw RPCError(.unimplemented, "not relayed")
        }
        func chat(_ requests: RequestStream<TestingV1.EchoRequest>, responses: ResponseWriter<TestingV1.EchoResponse>,
                  context: ServerContext) async throws {
            throw RPCError(.unimplemented, "not relayed")
        }
    }

    @Test func traceparentIsContinuedAcrossCalls() async throws {
        let downstream = try await LiveServer.start(.unix)
        let downstreamClient = downstream.client()
        let relay = RPCServer(configuration: ServerConfiguration(endpoint: .unix(path: temporarySocketPath())),
                              services: [Relay(downstream: Echo.Client(transport: downstreamClient)).serviceDefinition])
        let client = RPCClient(endpoints: [try await relay.start()])
        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let text = try await Echo.Client(transport: client).say(.init(), options: .init(traceparent: incoming)).text
        let parts = text.split(separator: " ").map(String.init)
        let atRelay = try #require(TraceContext(traceparent: parts[0]))
        let atDownstream = try #require(TraceContext(traceparent: parts[1]))
        #expect(atRelay.traceID == "4bf92f3577b34da6a3ce929d0e0e4736" && atRelay.sampled)
        #expect(atDownstream.traceID == atRelay.traceID)
        #expect(atDownstream.spanID != atRelay.spanID)

        // no traceparent: the server starts a trace
        let fresh = try await Echo.Client(transport: downstreamClient).say(.init(text: "traceparent?")).text
        #expect(TraceContext(traceparent: fresh) != nil)
        #expect(TraceContext(traceparent: "00-zz-00f067aa0ba902b7-01") == nil)
        await client.close()
        await downstreamClient.close()
        await relay.shutdown(gracePeriod: .seconds(1))
        await downstream.stop()
    }

    @Test func callsAreCountedByMethodAndStatusAndTimed() async throws {
        let metrics = TestMetrics()
        let live = try await LiveServer.start(.unix) { $0.metricsFactory = metrics }
        let client = live.client()
        let echo = Echo.Client(transport: client)
        for _ in 0..<3 { _ = try await echo.say(.init(text: "x")) }
        _ = try? await echo.say(.init(failCode: StatusCode.notFound.rawValue))
        _ = try? await echo.say(.init(sleepMillis: 5000), options: .init(timeout: .milliseconds(50)))

        let path = Echo.Method.say.descriptor.path
        let ok = try metrics.expectCounter("aftersale_rpc_server_calls_total", [("method", path), ("code", "OK")])
        #expect(ok.totalValue == 3)
        let notFound = try metrics.expectCounter("aftersale_rpc_server_calls_total", [("method", path), ("code", "NOT_FOUND")])
        #expect(notFound.totalValue == 1)
        // Whichever fires first ends that call — the server's deadline or the client's CANCEL — and it is counted once.
        func count(_ code: String) -> Int64 {
            (try? metrics.expectCounter("aftersale_rpc_server_calls_total", [("method", path), ("code", code)]))?.totalValue ?? 0
        }
        try await waitUntil { count("DEADLINE_EXCEEDED") + count("CANCELLED") == 1 }
        try await Task.sleep(for: .milliseconds(100))
        #expect(count("DEADLINE_EXCEEDED") + count("CANCELLED") == 1)
        let timer = try metrics.expectTimer("aftersale_rpc_server_duration_seconds", [("method", path)])
        #expect(timer.values.count >= 5)
        await client.close()
        await live.stop()
    }
}
