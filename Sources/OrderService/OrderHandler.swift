import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// OrderService over its database: validates each request, runs the domain rules and the storage change in one
/// transaction (with the idempotency record, the timeline entry and the outbox event), then wakes whoever acts
/// after commit (outbox relay, refund executor, sale recorder, WatchCase streams).
public struct OrderHandler: OrderV1.OrderService.Handler {
    public let database: ServiceDatabase
    public let clock: ServiceClock
    public let broadcaster: CaseBroadcaster
    /// Called after every committed change (wakes the outbox relay and the background workers).
    let afterCommit: @Sendable () -> Void

    public init(database: ServiceDatabase, clock: ServiceClock = .system, broadcaster: CaseBroadcaster = CaseBroadcaster(),
                afterCommit: @escaping @Sendable () -> Void = {}) {
        self.database = database
        self.clock = clock
        self.broadcaster = broadcaster
        self.afterCommit = afterCommit
    }

    /// Runs a mutating call once per idempotency key, then signals the commit (also on a replay: harmless).
    func mutate<Request: ProtoMessage, Response: ProtoMessage>(
        _ request: Request, context: ServerContext, cases: [String] = [],
        _ body: @escaping @Sendable (Database, Date) throws -> Response
    ) async throws -> Response {
        let now = clock.now()
        let response = try await database.idempotent(request, context: context, clock: clock) { db in try body(db, now) }
        afterCommit()
        broadcaster.notify(cases)
        return response
    }

    // MARK: Orders

    public func createOrder(_ request: OrderV1.CreateOrderRequest, context: ServerContext) async throws -> OrderV1.Order {
        try OrderValidation.order(request.order)
        guard let given = request.order else { throw RPCError.invalidArgument("order", "is required") }
        return try await mutate(request, context: context) { db, now in
            var order = given
            order.id = order.id.isEmpty ? Identifier.make("ord", at: now) : order.id
            for index in order.lines.indices {
                if order.lines[index].id.isEmpty { order.lines[index].id = Identifier.make("ol", at: now) }
                order.lines[index].returnedQuantity = 0
                order.lines[index].openCaseQuantity = 0
            }
            for index in order.payments.indices {
                if order.payments[index].id.isEmpty { order.payments[index].id = Identifier.make("pay", at: now) }
                order.payments[index].refunded = CommonV1.Money(currency: order.currency, minorUnits: 0)
                if order.payments[index].capturedAt == nil { order.payments[index].capturedAt = CommonV1.Timestamp(now) }
            }
            for index in order.fulfilments.indices where order.fulfilments[index].id.isEmpty {
                order.fulfilments[index].id = Identifier.make("ful", at: now)
            }
            if order.placedAt == nil { order.placedAt = CommonV1.Timestamp(now) }
            order.version = 1
            order.createdAt = CommonV1.Timestamp(now)
            order.updatedAt = order.createdAt
            try OrderStore.insertOrder(db, order)
            for line in order.lines {
                try OrderStore.enqueueCall(db, kind: SaleRecorder.kind, idempotencyKey: "sale:\(line.id)",
                                           request: ProductV1.RecordSaleRequest(productID: line.productID, sku: line.sku,
                                                                                quantity: line.quantity, orderLineID: line.id,
                                                                                soldAt: order.placedAt), at: now)
            }
            try Outbox.enqueue(db, Self.orderEvent(.orderPlaced, order, now), producer: CaseJournal.producer, at: now)
            return order
        }
    }

    public func getOrder(_ request: OrderV1.GetOrderRequest, context: ServerContext) async throws -> OrderV1.Order {
        var check = FieldValidator()
        check.identifier(request.orderID, "order_id")
        try check.validate()
        return try await database.read { db in try OrderStore.orderWithLedger(db, request.orderID) }
    }

    public func listOrders(_ request: OrderV1.ListOrdersRequest, context: ServerContext) async throws -> OrderV1.ListOrdersResponse {
        var check = FieldValidator()
        check.identifier(request.customerID, "customer_id")
        check.timestamp(request.placedAfter, "placed_after")
        check.timestamp(request.placedBefore, "placed_before")
        OrderValidation.page(request.page, &check)
        try check.validate()
        let size = try PageCursor.pageSize(request.page)
        let query = "orders|\(request.customerID)|\(request.placedAfter?.epochMicros ?? -1)|\(request.placedBefore?.epochMicros ?? -1)"
        let cursor = try PageCursor.decode(request.page, query: query)
        let rows = try await database.read { db in
            try OrderStore.listOrders(db, customerID: request.customerID, placedFrom: request.placedAfter?.epochMicros,
                                      placedBefore: request.placedBefore?.epochMicros, after: cursor, limit: size + 1)
        }
        let page = PageCursor.page(rows, size: size, query: query) {
            PageCursor(key: "\($0.placedAt?.epochMicros ?? 0)", id: $0.id)
        }
        return OrderV1.ListOrdersResponse(orders: page.rows, page: page.page)
    }

    public func recordFulfilment(_ request: OrderV1.RecordFulfilmentRequest, context: ServerContext) async throws -> OrderV1.Order {
        var check = FieldValidator()
        check.identifier(request.orderID, "order_id")
        check.nonNegative(request.expectedVersion, "expected_version")
        OrderValidation.fulfilment(request.fulfilment, &check, field: "fulfilment")
        try check.validate()
        guard let givenFulfilment = request.fulfilment else { throw RPCError.invalidArgument("fulfilment", "is required") }
        return try await mutate(request, context: context) { db, now in
            var order = try Self.loadOrder(db, request.orderID, expectedVersion: request.expectedVersion)
            var fulfilment = givenFulfilment
            let shipped = OrderLineLedger.shipped(order)
            for (index, line) in fulfilment.lines.enumerated() {
                guard let orderLine = order.lines.first(where: { $0.id == line.orderLineID }) else {
                    throw RPCError.invalidArgument("fulfilment.lines[\(index)].order_line_id",
                                                   "order \(order.id) has no line \(line.orderLineID)")
                }
                let total = (shipped[line.orderLineID] ?? 0) + Int(line.quantity)
                if total > Int(orderLine.quantity) {
                    throw RPCError.failedPrecondition("QUANTITY_EXCEEDED",
                                                      "line \(orderLine.id) would ship \(total) of \(orderLine.quantity) ordered units",
                                                      resource: "order/\(order.id)")
                }
            }
            if fulfilment.id.isEmpty { fulfilment.id = Identifier.make("ful", at: now) }
            if order.fulfilments.contains(where: { $0.id == fulfilment.id }) { throw RPCError.alreadyExists("fulfilment", fulfilment.id) }
            if fulfilment.shippedAt == nil { fulfilment.shippedAt = CommonV1.Timestamp(now) }
            order.fulfilments.append(fulfilment)
            return try Self.saveOrder(db, &order, now: now)
        }
    }

    public func markDelivered(_ request: OrderV1.MarkDeliveredRequest, context: ServerContext) async throws -> OrderV1.Order {
        var check = FieldValidator()
        check.identifier(request.orderID, "order_id")
        check.identifier(request.fulfilmentID, "fulfilment_id")
        check.nonNegative(request.expectedVersion, "expected_version")
        check.timestamp(request.deliveredAt, "delivered_at")
        try check.validate()
        return try await mutate(request, context: context) { db, now in
            var order = try Self.loadOrder(db, request.orderID, expectedVersion: request.expectedVersion)
            guard let index = order.fulfilments.firstIndex(where: { $0.id == request.fulfilmentID }) else {
                throw RPCError.notFound("fulfilment", request.fulfilmentID)
            }
            // Delivery scans arrive at least once: a second MarkDelivered keeps the first delivery time.
            if order.fulfilments[index].deliveredAt != nil { return try OrderStore.orderWithLedger(db, order.id) }
            order.fulfilments[index].deliveredAt = request.deliveredAt ?? CommonV1.Timestamp(now)
            let saved = try Self.saveOrder(db, &order, now: now)
            try Outbox.enqueue(db, Self.orderEvent(.orderDelivered, saved, now), producer: CaseJournal.producer, at: now)
            return saved
        }
    }

    public func recordPayment(_ request: OrderV1.RecordPaymentRequest, context: ServerContext) async throws -> OrderV1.Order {
        var check = FieldValidator()
        check.identifier(request.orderID, "order_id")
        check.nonNegative(request.expectedVersion, "expected_version")
        OrderValidation.payment(request.payment, currency: request.payment?.captured?.currency ?? "", &check, field: "payment")
        try check.validate()
        guard let givenPayment = request.payment else { throw RPCError.invalidArgument("payment", "is required") }
        return try await mutate(request, context: context) { db, now in
            var order = try Self.loadOrder(db, request.orderID, expectedVersion: request.expectedVersion)
            var payment = givenPayment
            if payment.captured?.currency != order.currency {
                throw RPCError.invalidArgument("payment.captured.currency",
                                               "must be the order currency \(order.currency), got \(payment.captured?.currency ?? "")")
            }
            if !payment.caseID.isEmpty {
                let afterSaleCase = try OrderStore.afterSaleCase(db, payment.caseID)
                if afterSaleCase.orderID != order.id {
                    throw RPCError.invalidArgument("payment.case_id", "case \(payment.caseID) belongs to another order")
                }
            }
            if payment.id.isEmpty { payment.id = Identifier.make("pay", at: now) }
            if order.payments.contains(where: { $0.id == payment.id }) { throw RPCError.alreadyExists("payment", payment.id) }
            payment.refunded = CommonV1.Money(currency: order.currency, minorUnits: 0)
            if payment.capturedAt == nil { payment.capturedAt = CommonV1.Timestamp(now) }
            order.payments.append(payment)
            return try Self.saveOrder(db, &order, now: now)
        }
    }

    // MARK: Shared steps

    static func loadOrder(_ db: Database, _ id: String, expectedVersion: Int64) throws -> OrderV1.Order {
        let order = try OrderStore.order(db, id)
        try RPCError.checkVersion("order", id, expected: expectedVersion, current: order.version)
        return order
    }

    /// Bumps the version, stores the order and returns it with its ledger filled.
    static func saveOrder(_ db: Database, _ order: inout OrderV1.Order, now: Date) throws -> OrderV1.Order {
        order.version += 1
        order.updatedAt = CommonV1.Timestamp(now)
        try OrderStore.updateOrder(db, order)
        return OrderLineLedger.withOpenQuantities(order, cases: try OrderStore.cases(db, orderID: order.id))
    }

    static func orderEvent(_ type: ReportingV1.EventType, _ order: OrderV1.Order, _ now: Date) -> ReportingV1.EventEnvelope {
        ReportingV1.EventEnvelope(eventType: type, aggregateType: "order", aggregateID: order.id,
                                  aggregateVersion: order.version, occurredAt: CommonV1.Timestamp(now), payload: .order(order))
    }
}
