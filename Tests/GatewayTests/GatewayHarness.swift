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
struct GatewayHarness: Sendable {
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
            configuration.interceptors = [AuthInterceptor(verifier: TokenVerifier(keys: keys), policy: GatewayAccess.policy)]
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
        try TokenSigner(keys: keys, clock: .fixed(issuedAt)).sign(subject: subject, role: role, lifetime: lifetime)
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

    /// Another backend holding a service token: may call everything.
    var service: GatewayV1.AfterSaleGateway.Client { client(role: .service, subject: "storefront") }

    // MARK: Data

    /// The demo catalogue: categories, 21 products priced in EUR/CNY/USD, the market policies (DE 30-day window,
    /// beauty final sale, …) and opening stock.
    func seedCatalogue() async throws {
        try await ProductCatalogueSeed.load(into: downstream.product)
    }

    /// A customer of `market` in its market's time zone (CustomerService masks its contact data).
    @discardableResult
    func createCustomer(_ id: String = "cus_\(UUID().uuidString.prefix(8).lowercased())", market: String = "DE",
                        timeZone: String? = nil) async throws -> CustomerV1.Customer {
        let zones = ["DE": "Europe/Berlin", "CN": "Asia/Shanghai", "US": "America/New_York"]
        let address = CommonV1.Address(name: "Test \(id)", lines: ["Teststraße 1"], city: "Berlin", postalCode: "10115",
                                       country: market)
        return try await downstream.customer.createCustomer(
            .init(customerID: id, name: "Test \(id)", email: "\(id)@example.com", phone: "+49 30 5550 0000",
                  addresses: [address], market: market, timeZone: timeZone ?? zones[market] ?? "UTC"),
            options: .mutating())
    }

    /// The default basket (DE, EUR, gross prices): 2 × organic tee (apparel, 30-day window) and 1 × glass kettle
    /// (home appliances): both returnable for a while after delivery.
    static let defaultLines: [(sku: String, quantity: Int32)] = [("TEE-ORG-BLU-M", 2), ("KETTLE-GLS-EU", 1)]

    /// A delivered order for `customer` (created in CustomerService first unless `createCustomer` is false):
    /// CreateOrder → RecordFulfilment (every unit) → MarkDelivered `deliveredDaysAgo` days ago. Lines take their
    /// price and product from the demo catalogue (``seedCatalogue()``), in `market`'s currency.
    func createDeliveredOrder(customer customerID: String = "cus_\(UUID().uuidString.prefix(8).lowercased())",
                              market: String = "DE", lines: [(sku: String, quantity: Int32)] = GatewayHarness.defaultLines,
                              deliveredDaysAgo: Double = 2, createCustomer: Bool = true) async throws -> OrderV1.Order {
        if createCustomer {
            do { try await self.createCustomer(customerID, market: market) } catch let error as RPCError where error.code == .alreadyExists {}
        }
        let currency = ["DE": "EUR", "CN": "CNY", "US": "USD"][market] ?? "EUR"
        let catalogue = ProductCatalogueSeed.products
        let orderID = "ord_\(UUID().uuidString.prefix(12).lowercased())"
        var orderLines: [OrderV1.OrderLine] = []
        for (index, line) in lines.enumerated() {
            let product = catalogue.first { $0.variants.contains { $0.sku == line.sku } }
            let price = product?.variants.first { $0.sku == line.sku }?.price ?? .init(currency: currency, minorUnits: 1000)
            orderLines.append(.init(id: "\(orderID)_l\(index + 1)", sku: line.sku, productID: product?.id ?? "",
                                    categoryID: product?.categoryID ?? "", title: product?.title ?? line.sku,
                                    quantity: line.quantity, unitPrice: price,
                                    lineDiscount: .init(currency: currency, minorUnits: 0),
                                    tax: .init(currency: currency, minorUnits: 0)))
        }
        let shipping: Int64 = 495
        let total = orderLines.reduce(shipping) { $0 + ($1.unitPrice?.minorUnits ?? 0) * Int64($1.quantity) }
        let placedAt = clock.now().addingTimeInterval(-(deliveredDaysAgo + 2) * 86_400)
        let placed = CommonV1.Timestamp(placedAt)
        let created = try await downstream.order.createOrder(.init(order: .init(
            id: orderID, customerID: customerID, market: market, currency: currency, lines: orderLines,
            orderDiscount: .init(currency: currency, minorUnits: 0), shippingCost: .init(currency: currency, minorUnits: shipping),
            pricesIncludeTax: market != "US",
            payments: [.init(id: "\(orderID)_p1", method: .card, providerReference: "sim_ch_\(orderID)",
                             captured: .init(currency: currency, minorUnits: total), capturedAt: placed)],
            shippingAddress: .init(name: "Test", lines: ["Teststraße 1"], city: "Berlin", postalCode: "10115", country: market),
            placedAt: placed)), options: .mutating())
        let fulfilmentID = "\(orderID)_f1"
        let shipped = try await downstream.order.recordFulfilment(.init(
            orderID: orderID, expectedVersion: created.version,
            fulfilment: .init(id: fulfilmentID, lines: orderLines.map { .init(orderLineID: $0.id, quantity: $0.quantity) },
                              warehouseID: ProductCatalogueSeed.warehouses[market] ?? "wh_berlin",
                              shippedAt: CommonV1.Timestamp(placedAt.addingTimeInterval(86_400)))),
            options: .mutating())
        return try await downstream.order.markDelivered(.init(
            orderID: orderID, expectedVersion: shipped.version, fulfilmentID: fulfilmentID,
            deliveredAt: CommonV1.Timestamp(clock.now().addingTimeInterval(-deliveredDaysAgo * 86_400))),
            options: .mutating())
    }

    /// A case opened directly in OrderService (no eligibility check, no risk assessment): `quantity` units of the
    /// order's first line, returned for a refund.
    func openCaseDirectly(_ order: OrderV1.Order, line: Int = 0, quantity: Int32 = 1,
                          kind: OrderV1.CaseKind = .returnRefund, resolution: OrderV1.Resolution = .refund) async throws -> OrderV1.Case {
        try await downstream.order.openCase(.init(
            orderID: order.id, customerID: order.customerID, kind: kind,
            lines: [.init(orderLineID: order.lines[line].id, quantity: quantity, reason: .changedMind,
                          reasonText: "does not fit", requestedResolution: resolution)],
            actor: .init(kind: .customer, id: order.customerID)), options: .mutating())
    }
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
