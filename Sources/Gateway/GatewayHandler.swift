import Logging
import RPCShared
import ServiceRuntime

/// `aftersale.gateway.v1.AfterSaleGateway`: what other backends call. Reads fan out to the services in parallel
/// and come back as one ``GatewayV1/CaseView`` (GatewayHandler+Reads.swift); every mutation runs as a saga whose
/// steps carry idempotency keys derived from the caller's (GatewayHandler+Workflows.swift, Saga.swift).
public struct GatewayHandler: GatewayV1.AfterSaleGateway.Handler {
    public let downstream: Downstream
    public let assembler: CaseViewAssembler
    public let coordinator: SagaCoordinator
    public let clock: ServiceClock
    public let logger: Logger

    public init(downstream: Downstream, sagas: SagaStore, clock: ServiceClock = .system,
                logger: Logger = Logger(label: "aftersale.gateway")) {
        self.downstream = downstream
        self.assembler = CaseViewAssembler(downstream: downstream)
        self.coordinator = SagaCoordinator(store: sagas, downstream: downstream, clock: clock, logger: logger)
        self.clock = clock
        self.logger = logger
    }

    /// The background service that finishes pending sagas and runs outstanding compensations.
    public var reconciler: SagaReconciler {
        let handler = self
        return SagaReconciler(coordinator: coordinator) { try handler.workflow(for: $0) }
    }
}
