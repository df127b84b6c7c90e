import RPCShared
import ServiceLifecycle

/// The standard `grpc.health.v1.Health` on the gRPC listener, answering from the same ``HealthStatusStore`` as our
/// own health service, so a Kubernetes gRPC probe and `aftersale health` always agree.
struct GRPCHealthService: GRPCHealthV1.Health.Handler {
    typealias Status = GRPCHealthV1.HealthCheckResponse.ServingStatus
    let store: HealthStatusStore

    func check(_ request: GRPCHealthV1.HealthCheckRequest, context: ServerContext) async throws -> GRPCHealthV1.HealthCheckResponse {
        guard let status = store.status(of: request.service) else {
            throw RPCError(.notFound, "unknown service '\(request.service)'")
        }
        return .init(status: Status(rawValue: status.rawValue))
    }

    func list(_ request: GRPCHealthV1.HealthListRequest, context: ServerContext) async throws -> GRPCHealthV1.HealthListResponse {
        .init(statuses: store.statuses.mapValues { .init(status: Status(rawValue: $0.rawValue)) })
    }

    func watch(_ request: GRPCHealthV1.HealthCheckRequest, responses: ResponseWriter<GRPCHealthV1.HealthCheckResponse>,
               context: ServerContext) async throws {
        // Ends (OK) when the process drains, so an open probe does not hold the shutdown for the grace period.
        for await status in store.watch(request.service).cancelOnGracefulShutdown() {
            try await responses.write(.init(status: Status(rawValue: status.rawValue)))
        }
    }
}
