import AfterSaleTestSupport
import Foundation
import GRDB
import LogisticsService
import RPCShared
import ServiceRuntime
import Synchronization

/// A LogisticsService handler over a real SQLite file, served on a real socket.
struct LogisticsFixture {
    let directory: TemporaryDirectory
    let database: ServiceDatabase
    let handler: LogisticsHandler
    let served: ServedServices
    var client: LogisticsV1.LogisticsService.Client { .init(transport: served.client) }
    var path: String { directory.file("logistics.sqlite") }

    static func start(catalogue: CarrierCatalogue = .builtIn(), clock: ServiceClock = .system) async throws -> LogisticsFixture {
        let directory = try TemporaryDirectory("logistics-test")
        let database = try LogisticsServiceApp.openDatabase(path: directory.file("logistics.sqlite"))
        let handler = LogisticsServiceApp.build(database: database, catalogue: catalogue, clock: clock)
        let served = try await ServedServices.start([handler.serviceDefinition])
        return LogisticsFixture(directory: directory, database: database, handler: handler, served: served)
    }

    func stop() async {
        await served.stop()
        directory.remove()
    }

    /// Every stored shipment, outbox event and queued peer call: proves a failed call changed nothing.
    func snapshot() async throws -> [Data] {
        try await database.read { db in
            try Data.fetchAll(db, sql: "SELECT record FROM shipment ORDER BY id")
                + Data.fetchAll(db, sql: "SELECT CAST(event_id AS BLOB) FROM outbox ORDER BY sequence")
                + Data.fetchAll(db, sql: "SELECT CAST(idempotency_key AS BLOB) FROM peer_call ORDER BY id")
                + Data.fetchAll(db, sql: "SELECT CAST(tick_millis || '/' || exception_rate_bp || '/' || seed AS BLOB) FROM simulator_config")
        }
    }

    func outboxCount() async throws -> Int { try await database.read { db in try Outbox.backlog(db) } }
    func peerCalls() async throws -> [PeerCallStore.Call] { try await database.read { db in try PeerCallStore.all(db) } }
}

enum Fixtures {
    static let shenzhen = CommonV1.Address(name: "Li Wei", lines: ["1 Keyuan Rd"], city: "Shenzhen", region: "CN-GD",
                                           postalCode: "518057", country: "CN")
    static let warehouse = CommonV1.Address(name: "Returns desk", lines: ["88 Logistics Park"], city: "Shanghai",
                                            postalCode: "201100", country: "CN")

    static func reverse(carrier: String = "simulator", service: String = "sim-pickup", order: String = "ord_1",
                        caseID: String = "case_1", weight: Int32 = 1_200) -> LogisticsV1.CreateShipmentRequest {
        .init(kind: .reverse, orderID: order, caseID: caseID, carrierID: carrier, serviceCode: service,
              origin: shenzhen, destination: warehouse, weightGrams: weight,
              items: [.init(sku: "SKU-1", quantity: 1, orderLineID: "line_1")])
    }

    static func outbound(order: String = "ord_1", service: String = "sim-pickup") -> LogisticsV1.CreateShipmentRequest {
        .init(kind: .outbound, orderID: order, carrierID: "simulator", serviceCode: service, origin: warehouse,
              destination: shenzhen, weightGrams: 800, items: [.init(sku: "SKU-1", quantity: 2, orderLineID: "line_1")])
    }

    static func event(_ id: String, _ status: LogisticsV1.ShipmentStatus, at seconds: Int64) -> LogisticsV1.TrackingEvent {
        .init(carrierEventID: id, status: status, location: "Shenzhen hub", occurredAt: .init(epochSeconds: seconds),
              detail: "scan")
    }

    /// A shipment as the state machine sees it.
    static func shipment(_ status: LogisticsV1.ShipmentStatus, events: [LogisticsV1.TrackingEvent] = []) -> LogisticsV1.Shipment {
        .init(id: "shp_1", kind: .reverse, status: status, carrierID: "simulator", trackingNumber: "SIM0000000001",
              origin: shenzhen, destination: warehouse, events: events, version: 1)
    }
}

/// The OrderService's part in LogisticsService's tests: the peer, not the system under test. It records the
/// MarkShipped/MarkDelivered calls (with their idempotency keys), answers GetOrder with an order whose
/// fulfilments carry the linked shipments, and refuses everything else as UNIMPLEMENTED.
final class RecordingOrderService: OrderV1.OrderService.Handler {
    struct Recorded: Sendable {
        var shipped: [(key: String, request: OrderV1.MarkShippedRequest)] = []
        var delivered: [(key: String, request: OrderV1.MarkDeliveredRequest)] = []
        /// shipment id → fulfilment id, for GetOrder.
        var fulfilments: [String: String] = [:]
    }
    let state = Mutex(Recorded())

    var shipped: [(key: String, request: OrderV1.MarkShippedRequest)] { state.withLock { $0.shipped } }
    var delivered: [(key: String, request: OrderV1.MarkDeliveredRequest)] { state.withLock { $0.delivered } }

    func link(shipment: String, fulfilment: String) { state.withLock { $0.fulfilments[shipment] = fulfilment } }

    func markShipped(_ request: OrderV1.MarkShippedRequest, context: ServerContext) async throws -> OrderV1.Case {
        let key = context.metadata["idempotency-key"] ?? ""
        state.withLock { $0.shipped.append((key, request)) }
        return OrderV1.Case(id: request.caseID)
    }

    func markDelivered(_ request: OrderV1.MarkDeliveredRequest, context: ServerContext) async throws -> OrderV1.Order {
        let key = context.metadata["idempotency-key"] ?? ""
        state.withLock { $0.delivered.append((key, request)) }
        return OrderV1.Order(id: request.orderID)
    }

    func getOrder(_ request: OrderV1.GetOrderRequest, context: ServerContext) async throws -> OrderV1.Order {
        let links = state.withLock { $0.fulfilments }
        return OrderV1.Order(id: request.orderID, fulfilments: links.sorted { $0.key < $1.key }.map {
            OrderV1.Fulfilment(id: $0.value, shipmentID: $0.key)
        })
    }

    private func unimplemented() -> RPCError { RPCError(.unimplemented, "not part of the test peer") }
    func createOrder(_ request: OrderV1.CreateOrderRequest, context: ServerContext) async throws -> OrderV1.Order { throw unimplemented() }
    func listOrders(_ request: OrderV1.ListOrdersRequest, context: ServerContext) async throws -> OrderV1.ListOrdersResponse { throw unimplemented() }
    func recordFulfilment(_ request: OrderV1.RecordFulfilmentRequest, context: ServerContext) async throws -> OrderV1.Order { throw unimplemented() }
    func recordPayment(_ request: OrderV1.RecordPaymentRequest, context: ServerContext) async throws -> OrderV1.Order { throw unimplemented() }
    func openCase(_ request: OrderV1.OpenCaseRequest, context: ServerContext) async throws -> OrderV1.Case { throw unimplemented() }
    func getCase(_ request: OrderV1.GetCaseRequest, context: ServerContext) async throws -> OrderV1.Case { throw unimplemented() }
    func listCases(_ request: OrderV1.ListCasesRequest, context: ServerContext) async throws -> OrderV1.ListCasesResponse { throw unimplemented() }
    func approveCase(_ request: OrderV1.ApproveCaseRequest, context: ServerContext) async throws -> OrderV1.Case { throw unimplemented() }
    func rejectCase(_ request: OrderV1.RejectCaseRequest, context: ServerContext) async throws -> OrderV1.Case { throw unimplemented() }
    func cancelCase(_ request: OrderV1.CancelCaseRequest, context: ServerContext) async throws -> OrderV1.Case { throw unimplemented() }
    func attachShipment(_ request: OrderV1.AttachShipmentRequest, context: ServerContext) async throws -> OrderV1.Case { throw unimplemented() }
    func recordReceipt(_ request: OrderV1.RecordReceiptRequest, context: ServerContext) async throws -> OrderV1.Case { throw unimplemented() }
    func inspectCase(_ request: OrderV1.InspectCaseRequest, context: ServerContext) async throws -> OrderV1.Case { throw unimplemented() }
    func quoteSettlement(_ request: OrderV1.QuoteSettlementRequest, context: ServerContext) async throws -> OrderV1.Settlement { throw unimplemented() }
    func resolveCase(_ request: OrderV1.ResolveCaseRequest, context: ServerContext) async throws -> OrderV1.Case { throw unimplemented() }
    func closeCase(_ request: OrderV1.CloseCaseRequest, context: ServerContext) async throws -> OrderV1.Case { throw unimplemented() }
    func reopenCase(_ request: OrderV1.ReopenCaseRequest, context: ServerContext) async throws -> OrderV1.Case { throw unimplemented() }
    func expireOverdue(_ request: OrderV1.ExpireOverdueRequest, context: ServerContext) async throws -> OrderV1.ExpireOverdueResponse { throw unimplemented() }
    func getTimeline(_ request: OrderV1.GetTimelineRequest, context: ServerContext) async throws -> OrderV1.GetTimelineResponse { throw unimplemented() }
    func watchCase(_ request: OrderV1.WatchCaseRequest, responses: ResponseWriter<OrderV1.CaseEvent>, context: ServerContext) async throws { throw unimplemented() }
    func listRefunds(_ request: OrderV1.ListRefundsRequest, context: ServerContext) async throws -> OrderV1.ListRefundsResponse { throw unimplemented() }
    func retryRefund(_ request: OrderV1.RetryRefundRequest, context: ServerContext) async throws -> OrderV1.Refund { throw unimplemented() }
    func recordRefundOutcome(_ request: OrderV1.RecordRefundOutcomeRequest, context: ServerContext) async throws -> OrderV1.Refund { throw unimplemented() }
}

/// Awaits `body` and returns the RPCError it threw (nil if it succeeded).
func rpcError<T>(_ body: () async throws -> T) async -> RPCError? {
    do { _ = try await body(); return nil } catch let error as RPCError { return error } catch { return RPCError(.unknown, "\(error)") }
}
