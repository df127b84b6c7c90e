import AfterSaleTestSupport
import Testing
@testable import RPCShared

/// A client recovers from a server restart by itself: a fresh connection for the next call whatever the retry
/// policy, and — when the caller asks for it — waiting for a restarting server instead of failing fast.
@Suite(.timeLimit(.minutes(1))) struct ClientRecoveryTests {
    typealias Echo = TestingV1.Echo

    @Test func aServerRestartedBetweenTwoCallsAnswersTheSecondWithRetriesOff() async throws {
        let path = temporarySocketPath()
        let first = try await LiveServer.start(.unix, path: path)
        let client = first.client { $0.maxAttempts = 1 }
        #expect(try await Echo.Client(transport: client).say(.init(text: "one")).text == "one")
        await first.stop()
        let second = try await LiveServer.start(.unix, path: path)
        #expect(try await Echo.Client(transport: client).say(.init(text: "two")).text == "two")
        #expect(second.echo.completed.value == 1)
        await client.close()
        await second.stop()
    }

    @Test func waitForReadyRidesOutARestart() async throws {
        let path = temporarySocketPath()
        let first = try await LiveServer.start(.unix, path: path)
        let client = first.client { $0.maxAttempts = 1 }
        _ = try await Echo.Client(transport: client).say(.init(text: "warm"))
        await first.stop()
        // The server is down for ~600 ms; the call starts while it is down and must not fail.
        let restarted = Task {
            try await Task.sleep(for: .milliseconds(600))
            return try await LiveServer.start(.unix, path: path)
        }
        let clock = ContinuousClock()
        let started = clock.now
        let answer = try await Echo.Client(transport: client)
            .say(.init(text: "patient"), options: CallOptions(timeout: .seconds(10), waitForReady: .seconds(5)))
        #expect(answer.text == "patient")
        #expect(clock.now - started >= .milliseconds(500), "it did wait for the restart")
        await client.close()
        await try restarted.value.stop()
    }

    @Test func withoutWaitForReadyADownServerFailsFastAndWithItTheWaitIsBounded() async throws {
        let path = temporarySocketPath()
        let server = try await LiveServer.start(.unix, path: path)
        let client = server.client { $0.maxAttempts = 1 }
        await server.stop()
        let clock = ContinuousClock()

        var started = clock.now
        await #expect(throws: RPCError.self) {
            _ = try await Echo.Client(transport: client).say(.init(text: "x"), options: CallOptions(timeout: .seconds(30)))
        }
        #expect(clock.now - started < .seconds(10), "fail fast is the default, not a wait until the 30 s deadline")

        started = clock.now
        do {
            _ = try await Echo.Client(transport: client)
                .say(.init(text: "x"), options: CallOptions(timeout: .seconds(20), waitForReady: .milliseconds(400)))
            Issue.record("no server, no answer")
        } catch let error as RPCError {
            #expect(error.code == .unavailable, "the budget ran out before the deadline: still UNAVAILABLE")
        }
        let waited = clock.now - started
        #expect(waited < .seconds(10), "bounded by the wait-for-ready budget, not the 20 s deadline: \(waited)")
        await client.close()
    }
}
