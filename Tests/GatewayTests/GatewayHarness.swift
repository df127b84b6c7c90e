// The gateway over the five REAL services, in-process: every service handler served on its own temporary Unix
// socket (without authentication, like peers on a trusted host), the gateway served on another socket WITH the real
// AuthInterceptor, and typed gateway clients that present a token for any role.
import AfterSaleTestSupport
import CustomerService
import Foundation
import Gateway
import Logging
import LogisticsService
import OrderService
import ProductService
import ReportingService
import RPCShared
import ServiceRuntime
import Testing

/// Five services + the gateway, with their background workers (outbox relays to reporting, OrderService's refund
/// executor and sale recorder, LogisticsService's MarkShipped sender) running as they do in the processes.
///
/// ```swift
/// let harness = try await GatewayHarness.start()
/// defer { Task { await harness.stop() } }          // or withGatewayHarness { harness in … }
/// try await harness.seedCatalogue()
/// let order = try await harness.createDeliveredOrder(customer: "cus_a")
/// let view = try await harness.client(role: .customer, subject: "cus_a").getCase(.init(caseID: id), options: .read)
/// ```
///
/// To take a service down mid-test: `await harness.logistics.server.shutdown(gracePeriod: .zero)` — calls to it
/// then fail fast with UNAVAILABLE (the socket is gone); ``stop()`` copes with it being stopped already.
struct GatewayHarness: GatewaySystem {
    let directory: TemporaryDirectory
    let clock: ServiceClock
    /// The token keys the gateway verifies (``ServiceProcess/developmentKeys``).
    let keys: TokenKeySet

    let order: ServedServices
    let product: ServedServices
    let customer: ServedServices
    let logistics: ServedServices
    let reporting: ServedServices
    let orderComponents: OrderServiceComponents

    /// The gateway's view of the services (the same clients the handler uses).
    let downstream: Downstream
    let sagas: SagaStore
    let handler: GatewayHandler
    let gatewayServer: RPCServer
    /// The gateway's socket, shared by every ``client(role:subject:)``.
    let gatewayConnection: RPCClient
    private let background: [Task<Void, Never>]

    /// Trained once per test process: training takes a noticeable fraction of a second and the result is fixed.
    static let classifier = IssueClassifier(trainedAt: Date())

    static func start(clock: ServiceClock = .system) async throws -> GatewayHarness {
        let directory = try TemporaryDirectory("gateway-test")
        let logger = Logger(label: "aftersale.gateway-test")
        do {
            // Reporting first: every other service's outbox relay delivers to it.
            let reportingDatabase = try ReportingServiceApp.openDatabase(path: directory.file("reporting.sqlite"))
            let reporting = try await ServedServices.start([ReportingServiceApp.build(database: reportingDatabase, clock: clock).serviceDefinition])
            let reportingClient = ReportingV1.ReportingService.Client(transport: reporting.client)
            func relay(_ database: ServiceDatabase) -> OutboxRelay {
                OutboxRelay(database: database, reporting: reportingClient, pollInterval: .milliseconds(200), logger: logger)
            }

            let productDatabase = try ProductServiceApp.openDatabase(path: directory.file("product.sqlite"))
            let product = try await ServedServices.start([
                ProductServiceApp.buildHandler(database: productDatabase, clock: clock, classifier: classifier).serviceDefinition,
            ])

            let customerDatabase = try CustomerServiceApp.openDatabase(path: directory.file("customer.sqlite"))
            let customerRelay = relay(customerDatabase)
            let customer = try await ServedServices.start([
                try CustomerServiceApp.build(database: customerDatabase, dataDirectory: directory.path, clock: clock,
                                             relay: customerRelay).serviceDefinition,
            ])

            // OrderService records sales in ProductService and credits wallets in CustomerService.
            let orderDatabase = try ServiceDatabase(path: directory.file("order.sqlite"), migrations: OrderStore.migrations)
            let orderRelay = relay(orderDatabase)
            let components = OrderServiceApp.build(
                database: orderDatabase, clock: clock,
                product: ProductV1.ProductService.Client(transport: product.client),
                customer: CustomerV1.CustomerService.Client(transport: customer.client),
                relay: orderRelay, logger: logger)
            let order = try await ServedServices.start([components.handler.serviceDefinition])

            // LogisticsService tells OrderService when a return parcel ships (MarkShipped).
            let logisticsDatabase = try LogisticsServiceApp.openDatabase(path: directory.file("logistics.sqlite"))
            let logisticsRelay = relay(logisticsDatabase)
            let logistics = try await ServedServices.start([
                LogisticsServiceApp.build(database: logisticsDatabase, clock: clock, relay: logisticsRelay).serviceDefinition,
            ])
            let peerCalls = PeerCallSender(database: logisticsDatabase, order: OrderV1.OrderService.Client(transport: order.client),
                                           clock: clock, logger: logger)

            let downstream = Downstream(
                order: .init(transport: order.client), product: .init(transport: product.client),
                customer: .init(transport: customer.client), logistics: .init(transport: logistics.client),
                reporting: .init(transport: reporting.client))
            let sagas = try SagaStore.open(path: directory.file("gateway.sqlite"))
            let handler = GatewayHandler(downstream: downstream, sagas: sagas, clock: clock, logger: logger)

            let keys = try TokenKeySet(parsing: ServiceProcess.developmentKeys)
            var configuration = ServerConfiguration(endpoint: .unix(path: temporarySocketPath()))
            configuration.gracePeriod = .seconds(2)
            configuration.interceptors = [AuthInterceptor(verifier: TokenVerifier(keys: keys, service: "gateway"), policy: GatewayAccess.policy)]
            let gatewayServer = RPCServer(configuration: configuration, services: [handler.serviceDefinition])
            let bound = try await gatewayServer.start()
            var clientConfiguration = ClientConfiguration()
            clientConfiguration.backoff.initial = .milliseconds(10)
            let gatewayConnection = RPCClient(endpoints: [bound], configuration: clientConfiguration)

            let executor = components.refundExecutor, recorder = components.saleRecorder
            let workers: [@Sendable () async throws -> Void] = [
                { try await orderRelay.run() }, { try await customerRelay.run() }, { try await logisticsRelay.run() },
                { try await executor.run() }, { try await recorder.run() }, { try await peerCalls.run() },
            ]
            // Outside a ServiceGroup there is no graceful shutdown: cancelling the task is what stops each worker.
            let background = workers.map { run in Task { _ = try? await run() } }
            return GatewayHarness(
                directory: directory, clock: clock, keys: keys, order: order, product: product, customer: customer,
                logistics: logistics, reporting: reporting, orderComponents: components, downstream: downstream,
                sagas: sagas, handler: handler, gatewayServer: gatewayServer, gatewayConnection: gatewayConnection,
                background: background)
        } catch {
            directory.remove()
            throw error
        }
    }

    /// Stops the workers, the gateway and every service (a service a test already stopped is skipped quietly), and
    /// removes the databases.
    func stop() async {
        for task in background { task.cancel() }
        for task in background { await task.value }
        await gatewayConnection.close()
        await gatewayServer.shutdown(gracePeriod: .seconds(2))
        for served in [logistics, order, customer, product, reporting] { await served.stop() }
        directory.remove()
    }

    // MARK: Callers

    /// A token for `subject` in `role`, signed with the gateway's keys; `issuedAt` in the past makes it expired.
    func token(role: Role, subject: String, lifetime: Duration = .seconds(3600), issuedAt: Date = Date()) throws -> String {
        try TokenSigner(keys: keys, clock: .fixed(issuedAt)).sign(subject: subject, role: role, audience: [AccessToken.audience(for: "gateway")],
                                                          lifetime: lifetime)
    }

    /// The gateway as `subject` in `role` sees it: every call carries `authorization: Bearer <token>`.
    func client(role: Role, subject: String) -> GatewayV1.AfterSaleGateway.Client {
        // Signing only fails for a malformed subject, which is a mistake in the test itself.
        client(token: try? token(role: role, subject: subject))
    }

    /// A client presenting `token` as is (nil: no `authorization` at all).
    func client(token: String?) -> GatewayV1.AfterSaleGateway.Client {
        GatewayV1.AfterSaleGateway.Client(transport: BearerTransport(client: gatewayConnection, token: token))
    }

    var now: Date { clock.now() }
}

/// Runs `body` against a fresh harness and always stops it afterwards.
func withGatewayHarness(clock: ServiceClock = .system, _ body: (GatewayHarness) async throws -> Void) async throws {
    let harness = try await GatewayHarness.start(clock: clock)
    do {
        try await body(harness)
    } catch {
        await harness.stop()
        throw error
    }
    await harness.stop()
}

extension CallOptions {
    /// A read through the gateway with a generous deadline.
    static var read: CallOptions { CallOptions(timeout: .seconds(10)) }
}

/// A ``ClientTransport`` presenting a fixed bearer token (any role), where ``AuthenticatedTransport`` only mints
/// service tokens; nil sends no `authorization` at all.
struct BearerTransport: ClientTransport {
    let client: RPCClient
    let token: String?

    private func authorized(_ options: CallOptions) -> CallOptions {
        guard let token else { return options }
        var options = options
        options.metadata.set("authorization", "Bearer \(token)")
        return options
    }

    func unary<Input, Output>(_ method: RPCMethod<Input, Output>, request: Input, options: CallOptions) async throws -> Output {
        try await client.unary(method, request: request, options: authorized(options))
    }

    func serverStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, request: Input,
                                        options: CallOptions) -> ResponseStream<Output> {
        client.serverStreaming(method, request: request, options: authorized(options))
    }

    func clientStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, options: CallOptions,
                                        requests: @escaping @Sendable (RequestWriter<Input>) async throws -> Void) async throws -> Output {
        try await client.clientStreaming(method, options: authorized(options), requests: requests)
    }

    func bidirectionalStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, options: CallOptions,
                                               requests: @escaping @Sendable (RequestWriter<Input>) async throws -> Void)
        -> ResponseStream<Output> {
        client.bidirectionalStreaming(method, options: authorized(options), requests: requests)
    }
}

/// Expects `body` to fail with `code`; `mentioning` must appear in the message (a field name, a reason) and
/// `reason`, when given, must be `ErrorDetails.reason`.
func expectFailure(_ code: StatusCode, mentioning: String? = nil, reason: String? = nil,
                   sourceLocation: SourceLocation = #_sourceLocation,
                   _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected \(code), but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as RPCError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        if let mentioning { #expect(error.message.contains(mentioning), "\(error.message)", sourceLocation: sourceLocation) }
        if let reason { #expect(error.errorDetails?.reason == reason, "\(String(describing: error.errorDetails))", sourceLocation: sourceLocation) }
    } catch {
        Issue.record("expected RPCError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
