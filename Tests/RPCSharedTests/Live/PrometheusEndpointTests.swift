import AfterSaleTestSupport
import NIOCore
import Testing
@testable import RPCShared

@Suite struct PrometheusEndpointTests {
    @Test func callMetricsCanBeScraped() async throws {
        let endpoint = PrometheusEndpoint(port: 0)
        let live = try await LiveServer.start(.unix) { $0.metricsFactory = endpoint.factory }
        let client = live.client()
        _ = try await TestingV1.Echo.Client(transport: client).say(.init(text: "m"))
        _ = try? await TestingV1.Echo.Client(transport: client).say(.init(failCode: 5))
        let channel = try await endpoint.start()
        let port = try #require(channel.localAddress?.port)

        let request = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        let reply = String(decoding: try await RawConnection.connect(.tcp(host: "127.0.0.1", port: port))
            .exchange(Array(request.utf8)), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 200 OK"))
        #expect(reply.contains(#"aftersale_rpc_server_calls_total{method="/aftersale.testing.v1.Echo/Say",code="OK"} 1"#))
        #expect(reply.contains(#"aftersale_rpc_server_calls_total{method="/aftersale.testing.v1.Echo/Say",code="NOT_FOUND"} 1"#))
        #expect(reply.contains("aftersale_rpc_server_duration_seconds_bucket"))

        let missing = String(decoding: try await RawConnection.connect(.tcp(host: "127.0.0.1", port: port))
            .exchange(Array("GET / HTTP/1.1\r\nConnection: close\r\n\r\n".utf8)), as: UTF8.self)
        #expect(missing.hasPrefix("HTTP/1.1 404"))
        try await channel.close()
        await client.close()
        await live.stop()
    }
}
