import Foundation
import Logging
import RPCShared
import ServiceLifecycle
import ServiceRuntime

/// The pieces of a running OrderService: the handler and the background workers it wakes after commits.
public struct OrderServiceComponents: Sendable {
    public let handler: OrderHandler
    public let refundExecutor: RefundExecutor
    public let saleRecorder: SaleRecorder
    public let broadcaster: CaseBroadcaster
}

/// `aftersale serve order`: OrderService with its outbox relay, refund executor and sale recorder.
public enum OrderServiceApp {
    /// Wires the service over `database` (tests pass a temporary one and a fixed clock). Peers may be nil: the
    /// work that needs them waits in the database until a process with an address runs.
    public static func build(database: ServiceDatabase, clock: ServiceClock = .system,
                             product: ProductV1.ProductService.Client? = nil,
                             customer: CustomerV1.CustomerService.Client? = nil,
                             paymentProvider: any PaymentProvider = PaymentProviderSimulator(),
                             relay: OutboxRelay? = nil, logger: Logger = Logger(label: "aftersale.order")) -> OrderServiceComponents {
        let broadcaster = CaseBroadcaster()
        let relayWake: @Sendable () -> Void = { relay?.wake() }
        let executor = RefundExecutor(database: database, clock: clock, provider: paymentProvider, customer: customer,
                                      broadcaster: broadcaster, afterCommit: relayWake, logger: logger)
        let recorder = SaleRecorder(database: database, clock: clock, product: product, logger: logger)
        let handler = OrderHandler(database: database, clock: clock, broadcaster: broadcaster) {
            relay?.wake()
            executor.wake()
            recorder.wake()
        }
        return OrderServiceComponents(handler: handler, refundExecutor: executor, saleRecorder: recorder, broadcaster: broadcaster)
    }

    public static func run(_ settings: ServiceSettings) async throws {
        let host = ServiceHost(settings: settings)
        let database = try host.openDatabase(migrations: OrderStore.migrations)
        let relay = try host.outboxRelay(for: database)
        // Peer calls carry this service's own token (AuthenticatedTransport); peers accept nothing else.
        let product = try settings.peers["product"].map { _ in ProductV1.ProductService.Client(transport: try host.peerClient("product")) }
        let customer = try settings.peers["customer"].map { _ in CustomerV1.CustomerService.Client(transport: try host.peerClient("customer")) }
        let components = build(database: database, product: product, customer: customer,
                               paymentProvider: PaymentProviderSimulator(), relay: relay, logger: host.logger)
        try await host.run(services: [components.handler.serviceDefinition], database: database,
                           background: [relay, components.refundExecutor, components.saleRecorder])
    }
}
