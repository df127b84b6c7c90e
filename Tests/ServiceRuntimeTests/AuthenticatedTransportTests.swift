import AfterSaleTestSupport
import Foundation
import RPCShared
@testable import ServiceRuntime
import Synchronization
import Testing

@Suite struct AuthenticatedTransportTests {
    @Test func peerCallsCarryTheServiceTokenEndToEnd() async throws {
        let keys = TestKeys.set(TestKeys.first)
        let served = try await GuardedServer.start([AuthInterceptor(verifier: TokenVerifier(keys: keys, service: "product"), policy: .serviceOnly)])
        defer { Task { await served.stop() } }
        // The way a service gets its peers: ServiceHost with settings holding the shared keys.
        let settings = ServiceSettings(name: "order", listen: .tcp(host: "127.0.0.1", port: 0), dataDirectory: "/tmp",
                                       peers: ["product": served.address], auth: .keys(keys))
        let transport = try ServiceHost(settings: settings).peerClient("product")
        defer { Task { await transport.close() } }
        let echo = TestingV1.Echo.Client(transport: transport)
        #expect(try await echo.say(.init(text: "x"), options: .init(timeout: .seconds(5))).text == "service:order")
        // Every call kind carries it.
        var streamed: [String] = []
        for try await response in echo.count(.init(text: "x", repeat: 2), options: .init(timeout: .seconds(5))) { streamed.append(response.text) }
        #expect(streamed == ["order", "order"])
        let collected = try await echo.collect(options: .init(timeout: .seconds(5))) { writer in try await writer.write(.init(text: "a")) }
        #expect(collected.text == "order")

        // Without keys (insecure mode) the same call is refused by a server that checks.
        let insecure = ServiceSettings(name: "order", listen: .tcp(host: "127.0.0.1", port: 0), dataDirectory: "/tmp",
                                       peers: ["product": served.address], auth: .insecureNoAuth)
        let bare = try ServiceHost(settings: insecure).peerClient("product")
        defer { Task { await bare.close() } }
        await #expect(throws: RPCError.self) {
            try await TestingV1.Echo.Client(transport: bare).say(.init(text: "x"), options: .init(timeout: .seconds(5)))
        }
    }

    @Test func theTokenIsReusedThenRefreshedBeforeExpiryOnePerPeer() async throws {
        let clock = MovableDate(Date(timeIntervalSince1970: 1_750_000_000))
        let source = ServiceTokenSource(signer: TokenSigner(keys: TestKeys.set(TestKeys.first), clock: ServiceClock { clock.now }),
                                        subject: "order", lifetime: .seconds(900))
        let first = try source.token(for: "product")
        clock.advance(599)
        #expect(try source.token(for: "product") == first)
        clock.advance(2)
        let second = try source.token(for: "product")
        #expect(second != first)
        let verifier = TokenVerifier(keys: TestKeys.set(TestKeys.first), service: "product", clock: ServiceClock { clock.now })
        let claims = try await verifier.verify(second)
        #expect(claims.subject == "order" && claims.role == .service)
        #expect(claims.audience == ["aftersale:product"])
        #expect(claims.expiresAt.timeIntervalSince(clock.now) > 890)
        // Each peer gets its own token, which no other peer accepts.
        let forReporting = try source.token(for: "reporting")
        await #expect(throws: TokenError.wrongAudience(expected: "aftersale:product", got: ["aftersale:reporting"])) {
            try await verifier.verify(forReporting)
        }
    }
}

/// A wall clock the test moves by hand.
final class MovableDate: Sendable {
    private let date: Mutex<Date>
    init(_ date: Date) { self.date = Mutex(date) }
    var now: Date { date.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { date.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
