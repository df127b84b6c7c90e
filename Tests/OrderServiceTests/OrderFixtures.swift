// Shared fixtures for the OrderService tests: a served handler over a temporary database, sample orders and
// assertions on RPC failures.
import AfterSaleTestSupport
import Foundation
import GRDB
@testable import OrderService
import RPCShared
import ServiceRuntime
import Testing

/// OrderService served on a temporary Unix socket over a temporary SQLite file, with a client.
struct OrderHarness: Sendable {
    let directory: TemporaryDirectory
    let database: ServiceDatabase
    let components: OrderServiceComponents
    let served: ServedServices
    let provider: PaymentProviderSimulator
    var client: OrderV1.OrderService.Client { OrderV1.OrderService.Client(transport: served.client) }
    var handler: OrderHandler { components.handler }

    static func start(clock: ServiceClock = .system, customer: CustomerV1.CustomerService.Client? = nil,
                      product: ProductV1.ProductService.Client? = nil,
                      directory: TemporaryDirectory? = nil) async throws -> OrderHarness {
        let directory = try directory ?? TemporaryDirectory("order-test")
        let database = try ServiceDatabase(path: directory.file("order.sqlite"), migrations: OrderStore.migrations)
        let provider = PaymentProviderSimulator()
        let components = OrderServiceApp.build(database: database, clock: clock, product: product, customer: customer,
                                               paymentProvider: provider)
        let served = try await ServedServices.start([components.handler.serviceDefinition])
        return OrderHarness(directory: directory, database: database, components: components, served: served, provider: provider)
    }

    func stop(keepFiles: Bool = false) async {
        await served.stop()
        if !keepFiles { directory.remove() }
    }

    // MARK: Orders and cases

    /// A delivered EUR order: line A 3 × 50.00 (10.00 discount), line B 1 × 30.00; card 100.00 + store credit 80.00.
    static func sampleOrder(customerID: String = "cus_1", delivered: Bool = true, id: String = "") -> OrderV1.Order {
        let lineA = "ol-a-\(UUID().uuidString.prefix(8))", lineB = "ol-b-\(UUID().uuidString.prefix(8))"
        return OrderV1.Order(
            id: id, customerID: customerID, market: "DE", currency: "EUR",
            lines: [
                OrderV1.OrderLine(id: lineA, sku: "SKU-A", productID: "prod-a", categoryID: "cat-1", title: "Shoe", quantity: 3,
                                  unitPrice: eur(5000), lineDiscount: eur(1000), tax: eur(0)),
                OrderV1.OrderLine(id: lineB, sku: "SKU-B", productID: "prod-b", title: "Sock", quantity: 1, unitPrice: eur(3000)),
            ],
            orderDiscount: eur(0), shippingCost: eur(600),
            payments: [
                OrderV1.Payment(method: .card, providerReference: "ch_1", captured: eur(10_000)),
                OrderV1.Payment(method: .storeCredit, providerReference: "we_1", captured: eur(8_000)),
            ],
            fulfilments: [OrderV1.Fulfilment(lines: [.init(orderLineID: lineA, quantity: 3), .init(orderLineID: lineB, quantity: 1)],
                                             warehouseID: "wh-1", deliveredAt: delivered ? CommonV1.Timestamp(Date()) : nil)])
    }

    func createOrder(_ order: OrderV1.Order = OrderHarness.sampleOrder()) async throws -> OrderV1.Order {
        try await client.createOrder(.init(order: order), options: .mutating())
    }

    func openCase(_ order: OrderV1.Order, kind: OrderV1.CaseKind = .returnRefund, units: [Int32] = [1],
                  resolution: OrderV1.Resolution = .refund) async throws -> OrderV1.Case {
        let lines = units.enumerated().filter { $0.element > 0 }.map { index, quantity in
            OrderV1.OpenCaseLine(orderLineID: order.lines[index].id, quantity: quantity, reason: .changedMind,
                                 reasonText: "too small", requestedResolution: resolution)
        }
        return try await client.openCase(.init(orderID: order.id, customerID: order.customerID, kind: kind, lines: lines,
                                               actor: customerActor), options: .mutating())
    }

    func approve(_ afterSaleCase: OrderV1.Case, instantRefund: Bool = false) async throws -> OrderV1.Case {
        try await client.approveCase(.init(caseID: afterSaleCase.id, actor: agentActor, instantRefund: instantRefund), options: .mutating())
    }

    func receiveAll(_ afterSaleCase: OrderV1.Case) async throws -> OrderV1.Case {
        try await client.recordReceipt(.init(caseID: afterSaleCase.id, lines: afterSaleCase.lines.map {
            .init(caseLineID: $0.id, quantity: $0.quantities?.approved ?? 0)
        }, warehouseID: "wh-1", actor: warehouseActor), options: .mutating())
    }

    func inspectAllAccepted(_ afterSaleCase: OrderV1.Case) async throws -> OrderV1.Case {
        try await client.inspectCase(.init(caseID: afterSaleCase.id, lines: afterSaleCase.lines.map {
            .init(caseLineID: $0.id, acceptedQuantity: $0.quantities?.received ?? 0, disposition: .restock, findings: [.asDescribed])
        }, actor: warehouseActor), options: .mutating())
    }

    func resolve(_ afterSaleCase: OrderV1.Case, _ resolution: OrderV1.Resolution = .refund) async throws -> OrderV1.Case {
        try await client.resolveCase(.init(caseID: afterSaleCase.id, resolution: resolution, actor: agentActor), options: .mutating())
    }

    /// A return case taken to INSPECTED (units of line A, all accepted).
    func inspectedCase(_ order: OrderV1.Order, units: Int32 = 1) async throws -> OrderV1.Case {
        let opened = try await openCase(order, units: [units])
        let approved = try await approve(opened)
        let received = try await receiveAll(approved)
        return try await inspectAllAccepted(received)
    }

    func outboxTypes() async throws -> [ReportingV1.EventType] {
        try await database.read { db in try Outbox.pending(db, limit: 10_000).map(\.envelope.eventType) }
    }
}

func eur(_ minorUnits: Int64) -> CommonV1.Money { CommonV1.Money(currency: "EUR", minorUnits: minorUnits) }
let customerActor = CommonV1.Actor(kind: .customer, id: "cus_1")
let agentActor = CommonV1.Actor(kind: .agent, id: "agent-7")
let warehouseActor = CommonV1.Actor(kind: .warehouse, id: "wh-1")

/// Expects `body` to fail with `code`; `mentioning` must appear in the message (a field name or reason text) and
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

/// Runs `body` against a fresh harness and always stops it (socket closed, files removed) afterwards.
func withHarness(clock: ServiceClock = .system, customer: CustomerV1.CustomerService.Client? = nil,
                 product: ProductV1.ProductService.Client? = nil,
                 _ body: (OrderHarness) async throws -> Void) async throws {
    let harness = try await OrderHarness.start(clock: clock, customer: customer, product: product)
    do {
        try await body(harness)
    } catch {
        await harness.stop()
        throw error
    }
    await harness.stop()
}
