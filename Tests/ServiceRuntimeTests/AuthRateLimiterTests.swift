import AfterSaleTestSupport
import Foundation
import RPCShared
@testable import ServiceRuntime
import Synchronization
import Testing

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(_ duration: Duration) { instant.withLock { $0 += duration } }
}

@Suite struct AuthRateLimiterTests {
    @Test func burstThenRefillAtTheRate() {
        let clock = ManualClock()
        let limiter = RateLimiter(limit: RateLimit(rate: 10, burst: 3), now: { clock.now })
        for _ in 0..<3 { #expect(limiter.acquire("a") == nil) }
        #expect(limiter.acquire("a") == .milliseconds(100))
        #expect(limiter.acquire("b") == nil, "callers have separate buckets")
        clock.advance(.milliseconds(50))
        #expect(limiter.acquire("a") == .milliseconds(50))
        clock.advance(.milliseconds(50))
        #expect(limiter.acquire("a") == nil)
        clock.advance(.seconds(60))
        for _ in 0..<3 { #expect(limiter.acquire("a") == nil) }
        #expect(limiter.acquire("a") != nil, "refill stops at the burst size")
    }

    @Test func idleBucketsAreDroppedWhenTheTableIsFull() {
        let clock = ManualClock()
        let limiter = RateLimiter(limit: RateLimit(rate: 100, burst: 5), maxKeys: 10, now: { clock.now })
        for index in 0..<10 { _ = limiter.acquire("caller-\(index)") }
        #expect(limiter.trackedKeys == 10)
        clock.advance(.seconds(1))
        _ = limiter.acquire("late")
        #expect(limiter.trackedKeys == 1, "only the bucket still refilling is kept")
    }

    @Test(arguments: [("200", RateLimit(rate: 200, burst: 200)), ("200/s:400", RateLimit(rate: 200, burst: 400)),
                      ("0.5:2", RateLimit(rate: 0.5, burst: 2))])
    func parses(_ text: String, _ expected: RateLimit) throws {
        #expect(try RateLimit.parse(text) == expected)
    }

    @Test func parsesOffAndRejectsNonsense() throws {
        #expect(try RateLimit.parse("off") == nil)
        for bad in ["fast", "-1", "10:0", "1:2:3", "nan"] {
            #expect(throws: ServiceSettingsError.self, "\(bad)") { try RateLimit.parse(bad) }
        }
    }

    @Test func overTheLimitIsResourceExhaustedWithRetryAfterPerCaller() async throws {
        let keys = TestKeys.set(TestKeys.first)
        // One token per 100 s: no refill between the calls however slow the machine is.
        let limiter = RateLimiter(limit: RateLimit(rate: 0.01, burst: 2))
        let served = try await GuardedServer.start([AuthInterceptor(verifier: TokenVerifier(keys: keys), policy: .serviceOnly),
                                                    RateLimitInterceptor(limiter: limiter, peerLimiter: limiter)])
        let client = try RPCClient(served.address)
        defer { Task { await client.close(); await served.stop() } }
        let order = try AuthInterceptorTests.bearer(.service, "order")
        #expect(await AuthInterceptorTests.say(client, order) == .success("service:order"))
        #expect(await AuthInterceptorTests.say(client, order) == .success("service:order"))
        guard case .failure(let limited) = await AuthInterceptorTests.say(client, order) else { Issue.record("third call passed"); return }
        #expect(limited.code == .resourceExhausted)
        #expect(limited.message.contains("service:order"))
        let retry = try #require(limited.errorDetails?.retryAfterMillis)
        #expect(retry > 90_000 && retry <= 100_000, "\(retry)")
        #expect(limited.errorDetails?.reason == "RATE_LIMITED")
        // Another caller has its own budget.
        #expect(await AuthInterceptorTests.say(client, try AuthInterceptorTests.bearer(.service, "product")) == .success("service:product"))
    }

    @Test func peersDrawOnTheirOwnLargerLimit() async throws {
        let keys = TestKeys.set(TestKeys.first)
        let people = RateLimiter(limit: RateLimit(rate: 0.01, burst: 2))
        let served = try await GuardedServer.start([AuthInterceptor(verifier: TokenVerifier(keys: keys), policy: .serviceOnly),
                                                    RateLimitInterceptor(limiter: people)])
        let client = try RPCClient(served.address)
        defer { Task { await client.close(); await served.stop() } }
        let gateway = try AuthInterceptorTests.bearer(.service, "gateway")
        for _ in 0..<5 { #expect(await AuthInterceptorTests.say(client, gateway) == .success("service:gateway")) }
        #expect(people.trackedKeys == 0, "service callers never touch the people's buckets")
    }

    @Test func healthChecksNeverDrawOnThePeoplesBudget() async throws {
        // The people's budget is two calls; orchestrators and tools probing health must not use it up.
        let people = RateLimiter(limit: RateLimit(rate: 0.01, burst: 2))
        let served = try await GuardedServer.start([AuthInterceptorTests.auth(), RateLimitInterceptor(limiter: people)])
        let clients = try (0..<20).map { _ in try RPCClient(served.address) }
        defer { Task { for client in clients { await client.close() }; await served.stop() } }
        let serving = try await withThrowingTaskGroup(of: Bool.self) { group in
            for client in clients {
                for _ in 0..<100 {
                    group.addTask {
                        try await HealthV1.Health.Client(transport: client).check(.init(), options: .init(timeout: .seconds(20))).status == .serving
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(serving == 2000, "20 connections × 100 parallel health checks all answered")
        #expect(people.trackedKeys == 0, "health checks never touch the people's buckets")
    }

    @Test func localCallersAreToldApartByTheirProcessAndToldWhenToRetry() async throws {
        // No authentication: the limit is per peer. Every local caller has the same remote "address" (the socket
        // path); the kernel's peer credentials tell this test process from the `aftersale call` child.
        let limiter = RateLimiter(limit: RateLimit(rate: 0.01, burst: 2))
        let served = try await GuardedServer.start([RateLimitInterceptor(limiter: limiter)])
        let client = try RPCClient(served.address)
        defer { Task { await client.close(); await served.stop() } }
        let options = CallOptions(timeout: .seconds(5))
        #expect(await AuthInterceptorTests.say(client, options) == .success("anonymous"))
        #expect(await AuthInterceptorTests.say(client, options) == .success("anonymous"))
        guard case .failure(let limited) = await AuthInterceptorTests.say(client, options) else { Issue.record("third call passed"); return }
        #expect(limited.code == .resourceExhausted)
        #expect(limited.message.contains("pid \(getpid())"), "\(limited.message)")
        let pushback = try #require(limited.trailers[RateLimitInterceptor.retryPushbackKey].flatMap { Int64($0) })
        #expect(pushback > 90_000 && pushback <= 100_000, "retry delay in the trailer: \(pushback) ms")
        #expect(limited.errorDetails?.retryAfterMillis == pushback)
        // A second local process is not starved by this noisy one.
        let other = try await runAfterSale(["call", served.address, "aftersale.testing.v1.Echo/Say", #"{"text":"hi"}"#])
        #expect(other.status == 0, "\(other.stderr)")
        #expect(limiter.trackedKeys == 2)
    }
}
