import Logging
import NIOCore
import Testing
@testable import RPCShared

/// The generated client and handler protocol, wired through the in-process transport (which serializes both ways).
@Suite struct GeneratedStubTests {
    typealias Health = HealthV1.Health

    struct SlowHealth: Health.Handler {
        func check(_ request: HealthV1.HealthCheckRequest, context: ServerContext) async throws -> HealthV1.HealthCheckResponse {
            if request.service == "slow" { try await Task.sleep(for: .seconds(60)) }
            guard request.service.isEmpty || request.service == "known" else {
                throw RPCError(.notFound, "unknown service '\(request.service)'")
            }
            #expect(context.metadata["x-test"] == "yes")
            return .init(status: .serving)
        }

        func watch(_ request: HealthV1.HealthCheckRequest, responses: ResponseWriter<HealthV1.HealthCheckResponse>,
                   context: ServerContext) async throws {
            for status in [HealthV1.HealthCheckResponse.ServingStatus.serving, .notServing, .serving] {
                try await responses.write(.init(status: status))
            }
        }
    }

    let client = Health.Client(transport: InProcessTransport(services: [SlowHealth().serviceDefinition]))
    let options = CallOptions(metadata: ["x-test": "yes"])

    @Test func methodDescriptors() {
        #expect(Health.Method.check.descriptor.path == "/aftersale.health.v1.Health/Check")
        #expect(Health.Method.watch.descriptor.kind == .serverStreaming)
        #expect(Health.Method.check.descriptor.inputType == "aftersale.health.v1.HealthCheckRequest")
        #expect(ProtoRegistry.services["aftersale.health.v1.Health"]?.count == 2)
    }

    @Test func unary() async throws {
        #expect(try await client.check(.init(service: "known"), options: options).status == .serving)
    }

    @Test func errorsKeepTheirStatus() async throws {
        await #expect(throws: RPCError(.notFound, "unknown service 'other'")) {
            try await client.check(.init(service: "other"), options: options)
        }
    }

    @Test func deadline() async throws {
        let clock = ContinuousClock()
        let elapsed = await clock.measure {
            await #expect(throws: RPCError(.deadlineExceeded, "deadline exceeded")) {
                try await client.check(.init(service: "slow"), options: .init(timeout: .milliseconds(50), metadata: ["x-test": "yes"]))
            }
        }
        #expect(elapsed < .seconds(30))  // cut short by the 50 ms deadline, not the 60 s handler (slack for a loaded CI)
    }

    @Test func serverStreaming() async throws {
        var statuses: [HealthV1.HealthCheckResponse.ServingStatus] = []
        for try await response in client.watch(.init()) { statuses.append(response.status) }
        #expect(statuses == [.serving, .notServing, .serving])
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        let reflection = ReflectionV1.Reflection.Client(transport: client.transport)
        await #expect(throws: RPCError(.unimplemented, "unknown method /aftersale.reflection.v1.Reflection/ListServices")) {
            try await reflection.listServices(.init())
        }
    }

    @Test func undecodableRequestIsInvalidArgument() async throws {
        guard case .unary(let handler) = SlowHealth().serviceDefinition.methods[0].handler else {
            Issue.record("Check is unary")
            return
        }
        let context = ServerContext(method: Health.Method.check.descriptor, requestID: "t", logger: Logger(label: "t"))
        do {
            _ = try await handler(ByteBuffer(bytes: [0x0A, 0x05, 0x61]), context)
            Issue.record("accepted truncated bytes")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("aftersale.health.v1.HealthCheckRequest"))
        }
    }

    @Test func errorDetailsTravelAsBytes() {
        let details = CommonV1.ErrorDetails(fieldViolations: [.init(field: "lines[0].quantity", description: "must be positive")],
                                            reason: "INVALID_QUANTITY")
        let error = RPCError(.invalidArgument, "bad quantity", details: details)
        #expect(error.errorDetails == details)
    }
}
