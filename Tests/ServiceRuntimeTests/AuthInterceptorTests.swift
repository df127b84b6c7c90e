import AfterSaleTestSupport
import Foundation
import RPCShared
@testable import ServiceRuntime
import Testing

/// Answers with who called: the role and subject ``AuthInterceptor`` verified, or "anonymous".
struct CallerEchoService: TestingV1.Echo.Handler {
    func say(_ request: TestingV1.EchoRequest, context: ServerContext) async throws -> TestingV1.EchoResponse {
        .init(text: Caller.current.map { "\($0.role.rawValue):\($0.subject)" } ?? "anonymous")
    }
    func count(_ request: TestingV1.EchoRequest, responses: ResponseWriter<TestingV1.EchoResponse>, context: ServerContext) async throws {
        for index in 0..<max(1, request.repeat) {
            try await responses.write(.init(text: Caller.current?.subject ?? "anonymous", index: index))
        }
    }
    func collect(_ requests: RequestStream<TestingV1.EchoRequest>, context: ServerContext) async throws -> TestingV1.EchoResponse {
        for try await _ in requests {}
        return .init(text: Caller.current?.subject ?? "anonymous")
    }
    func chat(_ requests: RequestStream<TestingV1.EchoRequest>, responses: ResponseWriter<TestingV1.EchoResponse>,
              context: ServerContext) async throws {
        for try await _ in requests { try await responses.write(.init(text: Caller.current?.subject ?? "anonymous")) }
    }
}

/// A real server on a temporary socket with the given interceptors in front of ``CallerEchoService``.
struct GuardedServer {
    let server: RPCServer
    let address: String

    static func start(_ interceptors: [any ServerInterceptor]) async throws -> GuardedServer {
        var configuration = ServerConfiguration(endpoint: .unix(path: temporarySocketPath()))
        configuration.interceptors = interceptors
        configuration.gracePeriod = .seconds(1)
        let server = RPCServer(configuration: configuration, services: [CallerEchoService().serviceDefinition])
        let bound = try await server.start()
        return GuardedServer(server: server, address: "\(bound)")
    }

    func stop() async { await server.shutdown(gracePeriod: .seconds(1)) }
}

@Suite struct AuthInterceptorTests {
    static let keys = TestKeys.set(TestKeys.first)
    static let signer = TokenSigner(keys: keys)
    /// The name the echo server verifies tokens as (their `aud` must hold `aftersale:echo`).
    static let service = "echo"
    static let audience = [AccessToken.audience(for: service)]
    static func auth(_ policy: AuthPolicy = .serviceOnly) -> AuthInterceptor {
        AuthInterceptor(verifier: TokenVerifier(keys: keys, service: service), policy: policy)
    }

    static func bearer(_ role: Role, _ subject: String = "someone") throws -> CallOptions {
        CallOptions(timeout: .seconds(30), metadata: ["authorization": "Bearer \(try signer.sign(subject: subject, role: role, audience: audience, lifetime: .seconds(60)))"])
    }

    static func say(_ client: RPCClient, _ options: CallOptions) async -> Result<String, RPCError> {
        do {
            return .success(try await TestingV1.Echo.Client(transport: client).say(.init(text: "hi"), options: options).text)
        } catch let error as RPCError {
            return .failure(error)
        } catch {
            return .failure(RPCError(.unknown, "\(error)"))
        }
    }

    @Test func healthAndReflectionStayOpenEverythingElseNeedsAServiceToken() async throws {
        let served = try await GuardedServer.start([Self.auth()])
        let client = try RPCClient(served.address)
        defer { Task { await client.close(); await served.stop() } }

        let health = try await HealthV1.Health.Client(transport: client).check(.init(), options: .init(timeout: .seconds(5)))
        #expect(health.status == .serving)
        let services = try await ReflectionV1.Reflection.Client(transport: client).listServices(.init(), options: .init(timeout: .seconds(5)))
        #expect(services.services.map(\.name).contains("aftersale.testing.v1.Echo"))

        guard case .failure(let missing) = await Self.say(client, .init(timeout: .seconds(5))) else { Issue.record("no token passed"); return }
        #expect(missing.code == .unauthenticated)
        #expect(missing.message.contains("missing bearer token"))

        let expired = try TokenSigner(keys: Self.keys, clock: .fixed(Date().addingTimeInterval(-7200)))
            .sign(subject: "order", role: .service, audience: Self.audience, lifetime: .seconds(600))
        guard case .failure(let old) = await Self.say(client, .init(timeout: .seconds(5), metadata: ["authorization": "Bearer \(expired)"])) else {
            Issue.record("expired token passed"); return
        }
        #expect(old.code == .unauthenticated && old.message.contains("token expired at"), "\(old)")

        let foreign = try TokenSigner(keys: TestKeys.set(TestKeys.other)).sign(subject: "order", role: .service, audience: Self.audience, lifetime: .seconds(60))
        guard case .failure(let forged) = await Self.say(client, .init(timeout: .seconds(5), metadata: ["authorization": "Bearer \(foreign)"])) else {
            Issue.record("foreign token passed"); return
        }
        #expect(forged.code == .unauthenticated && forged.message == "token signature does not verify")

        guard case .failure(let denied) = await Self.say(client, try Self.bearer(.agent, "alice")) else { Issue.record("agent passed"); return }
        #expect(denied.code == .permissionDenied)
        #expect(denied.message.contains("role 'agent' may not call /aftersale.testing.v1.Echo/Say (allowed: service)"))

        #expect(await Self.say(client, try Self.bearer(.service, "order")) == .success("service:order"))
    }

    @Test func perMethodRolesAndStreamingCallsSeeTheCaller() async throws {
        let policy = AuthPolicy(allowedRoles: [.service], methodRoles: ["/aftersale.testing.v1.Echo/Say": [.agent, .customer]])
        let served = try await GuardedServer.start([Self.auth(policy)])
        let client = try RPCClient(served.address)
        defer { Task { await client.close(); await served.stop() } }
        #expect(await Self.say(client, try Self.bearer(.customer, "c-1")) == .success("customer:c-1"))
        guard case .failure(let denied) = await Self.say(client, try Self.bearer(.service, "order")) else { Issue.record("service passed"); return }
        #expect(denied.code == .permissionDenied)

        var streamed: [String] = []
        for try await response in TestingV1.Echo.Client(transport: client).count(.init(text: "x", repeat: 1), options: try Self.bearer(.service, "order")) {
            streamed.append(response.text)
        }
        #expect(streamed == ["order"])
        await #expect(throws: RPCError.self) {
            for try await _ in TestingV1.Echo.Client(transport: client).count(.init(text: "x", repeat: 1), options: try Self.bearer(.agent)) {}
        }
    }
}
