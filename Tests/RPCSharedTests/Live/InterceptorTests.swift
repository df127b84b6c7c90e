import AfterSaleTestSupport
import Synchronization
import Testing
@testable import RPCShared

@Suite struct InterceptorTests {
    /// An auth hook: calls without the right token never reach the handler.
    struct RequireToken: ServerInterceptor {
        func intercept<Result: Sendable>(context: ServerContext, next: (ServerContext) async throws -> Result) async throws -> Result {
            guard context.metadata["authorization"] == "Bearer secret" else {
                throw RPCError(.unauthenticated, "missing or invalid bearer token")
            }
            return try await next(context)
        }
    }

    /// Records the order interceptors run in, and what they saw.
    final class Log: Sendable {
        private let entries = Mutex<[String]>([])
        func append(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    struct Recorder: ServerInterceptor {
        let name: String
        let log: Log
        init(_ name: String, log: Log) {
            self.name = name
            self.log = log
        }
        func intercept<Result: Sendable>(context: ServerContext, next: (ServerContext) async throws -> Result) async throws -> Result {
            log.append("\(name) before \(context.method.method)")
            defer { log.append("\(name) after") }
            return try await next(context)
        }
    }

    @Test func interceptorsRunInOrderAndCanReject() async throws {
        let log = Log()
        let live = try await LiveServer.start(.unix) { configuration in
            configuration.interceptors = [Recorder("outer", log: log), RequireToken(), Recorder("inner", log: log)]
        }
        let client = live.client()
        let echo = TestingV1.Echo.Client(transport: client)
        await #expect(throws: RPCError(.unauthenticated, "missing or invalid bearer token")) {
            try await echo.say(.init(text: "no token"))
        }
        #expect(live.echo.started.value == 0)
        #expect(try await echo.say(.init(text: "ok"), options: .init(metadata: ["authorization": "Bearer secret"])).text == "ok")
        #expect(log.all == ["outer before Say", "outer after", "outer before Say", "inner before Say", "inner after", "outer after"])
        await client.close()
        await live.stop()
    }
}
