import Foundation
import Logging
import RPCShared
import ServiceLifecycle
import ServiceRuntime

/// The gateway as a process: `aftersale serve gateway --listen … --data … --order-addr … --product-addr …
/// --customer-addr … --logistics-addr … --reporting-addr …`.
public enum GatewayApp {
    /// The peers the gateway needs; every address is required (flag or `AFTERSALE_<PEER>_ADDR`).
    public static let peers = ["order", "product", "customer", "logistics", "reporting"]

    /// Serves the gateway with its saga journal under `--data` and the reconciler in the background.
    public static func run(_ settings: ServiceSettings) async throws {
        let host = ServiceHost(settings: settings, authPolicy: GatewayAccess.policy)
        let sagas = SagaStore(database: try host.openDatabase(migrations: SagaStore.migrate))
        let downstream = Downstream(
            order: .init(transport: try host.peerClient("order")),
            product: .init(transport: try host.peerClient("product")),
            customer: .init(transport: try host.peerClient("customer")),
            logistics: .init(transport: try host.peerClient("logistics")),
            reporting: .init(transport: try host.peerClient("reporting")))
        let handler = GatewayHandler(downstream: downstream, sagas: sagas, logger: host.logger)
        try await host.run(services: [handler.serviceDefinition], database: sagas.database, background: [handler.reconciler])
    }
}
