import AfterSaleTestSupport
import Foundation
import RPCShared
import ServiceRuntime
@testable import ReportingService

/// Instants for hand-built events: `at("2024-03-04T10:00:00Z")`.
func at(_ text: String) -> Date {
    guard let date = ISO8601DateFormatter().date(from: text) else { preconditionFailure("bad test date \(text)") }
    return date
}

func ts(_ text: String) -> CommonV1.Timestamp { CommonV1.Timestamp(at(text)) }

func range(_ start: String, _ end: String) -> ReportingV1.TimeRange {
    ReportingV1.TimeRange(start: ts(start), end: ts(end))
}

/// Builders for the envelopes the producers write.
enum Events {
    static func envelope(_ type: ReportingV1.EventType, _ aggregate: String, _ id: String, version: Int64, at date: Date,
                         payload: ReportingV1.EventEnvelope.Payload, eventID: String? = nil) -> ReportingV1.EventEnvelope {
        ReportingV1.EventEnvelope(eventID: eventID ?? "evt_\(aggregate)_\(id)_\(version)_\(type.rawValue)", eventType: type,
                                  aggregateType: aggregate, aggregateID: id, aggregateVersion: version,
                                  occurredAt: CommonV1.Timestamp(date), producer: "test", payload: payload)
    }

    struct Line { var id: String; var product: String; var category: String; var quantity: Int32 }

    static func orderPlaced(_ id: String, market: String, currency: String, placedAt: String, lines: [Line]) -> ReportingV1.EventEnvelope {
        let order = OrderV1.Order(id: id, customerID: "cus_1", market: market, currency: currency,
                                  lines: lines.map { OrderV1.OrderLine(id: $0.id, sku: "sku-\($0.product)", productID: $0.product,
                                                                       categoryID: $0.category, quantity: $0.quantity) },
                                  placedAt: ts(placedAt), version: 1)
        return envelope(.orderPlaced, "order", id, version: 1, at: at(placedAt), payload: .order(order))
    }

    static func refund(_ type: ReportingV1.EventType, _ id: String, caseID: String, orderID: String, currency: String,
                       minor: Int64, status: OrderV1.RefundStatus, createdAt: String, updatedAt: String, version: Int64) -> ReportingV1.EventEnvelope {
        let refund = OrderV1.Refund(id: id, caseID: caseID, orderID: orderID, amount: CommonV1.Money(currency: currency, minorUnits: minor),
                                    status: status, version: version, createdAt: ts(createdAt), updatedAt: ts(updatedAt))
        return envelope(type, "refund", id, version: version, at: at(updatedAt), payload: .refund(refund))
    }

    static func feedback(_ id: String, rating: Int32, sentiment: Double, category: ProductV1.IssueCategory, product: String,
                         order: String, createdAt: String) -> ReportingV1.EventEnvelope {
        let feedback = CustomerV1.Feedback(id: id, customerID: "cus_1", rating: rating, text: "text", orderID: order, productID: product,
                                           sentiment: CustomerV1.Sentiment(label: .neutral, score: sentiment), category: category,
                                           createdAt: ts(createdAt))
        return envelope(.feedbackSubmitted, "feedback", id, version: 0, at: at(createdAt), payload: .feedback(feedback))
    }

    static func shipment(_ id: String, caseID: String, status: LogisticsV1.ShipmentStatus, version: Int64, at date: String) -> ReportingV1.EventEnvelope {
        let shipment = LogisticsV1.Shipment(id: id, kind: .reverse, status: status, orderID: "ord_1", caseID: caseID,
                                            carrierID: "simulator", version: version, createdAt: ts(date))
        return envelope(.shipmentStatusChanged, "shipment", id, version: version, at: at(date), payload: .shipment(shipment))
    }
}

/// A case's life as the order service would publish it: each step is one event with the timeline entry and the
/// snapshot after the change, version +1.
struct CaseScript {
    var snapshot: OrderV1.Case
    var sequence: Int64 = 0
    var events: [ReportingV1.EventEnvelope] = []

    struct Line { var id: String; var orderLine: String; var product: String; var category: String; var reason: OrderV1.ReasonCode; var quantity: Int32 }

    init(_ id: String, order: String, kind: OrderV1.CaseKind, market: String = "CN", currency: String = "CNY",
         lines: [Line], openedAt: String) {
        snapshot = OrderV1.Case(
            id: id, orderID: order, customerID: "cus_1", kind: kind, status: .requested,
            lines: lines.map { OrderV1.CaseLine(id: $0.id, orderLineID: $0.orderLine, sku: "sku-\($0.product)", productID: $0.product,
                                                categoryID: $0.category, reason: $0.reason,
                                                quantities: OrderV1.QuantityLedger(requested: $0.quantity)) },
            market: market, currency: currency, version: 0, createdAt: ts(openedAt))
        step(.caseOpened, .opened, to: .requested, at: openedAt)
    }

    mutating func step(_ type: ReportingV1.EventType, _ entryType: OrderV1.CaseEventType, to status: OrderV1.CaseStatus,
                       at time: String, change: (inout OrderV1.Case) -> Void = { _ in }) {
        let from = snapshot.status
        snapshot.status = status
        snapshot.version += 1
        snapshot.updatedAt = ts(time)
        change(&snapshot)
        sequence += 1
        let entry = OrderV1.TimelineEntry(id: "tl_\(snapshot.id)_\(sequence)", caseID: snapshot.id, sequence: sequence,
                                          eventType: entryType, fromStatus: from == status && type == .caseOpened ? .unspecified : from,
                                          toStatus: status, occurredAt: ts(time))
        events.append(Events.envelope(type, "case", snapshot.id, version: snapshot.version, at: at(time),
                                      payload: .caseEvent(OrderV1.CaseEvent(entry: entry, snapshot: snapshot))))
    }

    mutating func approve(at time: String) {
        step(.caseStatusChanged, .approved, to: .approved, at: time) { snapshot in
            for index in snapshot.lines.indices {
                let requested = snapshot.lines[index].quantities?.requested ?? 0
                snapshot.lines[index].quantities?.approved = requested
            }
        }
    }
    mutating func reject(at time: String) { step(.caseStatusChanged, .rejected, to: .rejected, at: time) }
    mutating func receive(at time: String) {
        step(.caseStatusChanged, .received, to: .received, at: time) { snapshot in
            for index in snapshot.lines.indices {
                let approved = snapshot.lines[index].quantities?.approved ?? 0
                snapshot.lines[index].quantities?.received = approved
            }
        }
    }
    mutating func inspect(at time: String, accepting accepted: Int32? = nil) {
        step(.caseStatusChanged, .inspected, to: .inspected, at: time) { snapshot in
            for index in snapshot.lines.indices {
                let received = snapshot.lines[index].quantities?.received ?? 0
                snapshot.lines[index].quantities?.accepted = accepted ?? received
                snapshot.lines[index].inspection = OrderV1.LineInspection(caseLineID: snapshot.lines[index].id, acceptedQuantity: accepted ?? received)
            }
        }
    }
    mutating func resolve(at time: String) {
        step(.caseStatusChanged, .resolved, to: .resolved, at: time) { $0.resolvedAt = ts(time) }
    }
}

/// The hand-built month (March 2024, "now" = 2024-03-25) behind the exact figures in the report tests; every
/// number is worked out in docs/services/reporting.md ("The test fixture").
enum March {
    static let now = at("2024-03-25T00:00:00Z")
    static let month = range("2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z")

    static var orders: [ReportingV1.EventEnvelope] {
        [Events.orderPlaced("o1", market: "CN", currency: "CNY", placedAt: "2024-03-04T10:00:00Z", lines: [
            .init(id: "l1", product: "p-shoe", category: "cat-shoes", quantity: 10),
            .init(id: "l2", product: "p-shirt", category: "cat-apparel", quantity: 4)]),
         // A Sunday: still in the ISO week that starts on Monday 2024-03-04.
         Events.orderPlaced("o2", market: "DE", currency: "EUR", placedAt: "2024-03-10T12:00:00Z", lines: [
            .init(id: "l3", product: "p-shoe", category: "cat-shoes", quantity: 10),
            .init(id: "l4", product: "p-mug", category: "cat-home", quantity: 6)]),
         Events.orderPlaced("o3", market: "DE", currency: "EUR", placedAt: "2024-02-20T12:00:00Z", lines: [
            .init(id: "l5", product: "p-shoe", category: "cat-shoes", quantity: 100)])]
    }

    static var cases: [ReportingV1.EventEnvelope] {
        var c1 = CaseScript("c1", order: "o1", kind: .returnRefund, lines: [
            .init(id: "c1l1", orderLine: "l1", product: "p-shoe", category: "cat-shoes", reason: .sizeFit, quantity: 2)],
                            openedAt: "2024-03-05T00:00:00Z")
        c1.approve(at: "2024-03-06T00:00:00Z")
        c1.receive(at: "2024-03-08T00:00:00Z")
        c1.inspect(at: "2024-03-11T00:00:01Z")      // 72 h + 1 s after receipt: inspection breached
        c1.resolve(at: "2024-03-12T00:00:00Z")      // 24 h − 1 s after inspection

        var c2 = CaseScript("c2", order: "o2", kind: .refundOnly, market: "DE", currency: "EUR", lines: [
            .init(id: "c2l1", orderLine: "l4", product: "p-mug", category: "cat-home", reason: .damagedInTransit, quantity: 1)],
                            openedAt: "2024-03-11T00:00:00Z")
        c2.approve(at: "2024-03-13T00:00:00Z")      // exactly 48 h: not breached
        c2.resolve(at: "2024-03-15T00:00:01Z")      // 48 h + 1 s after approval: resolution breached

        let c3 = CaseScript("c3", order: "o2", kind: .exchange, market: "DE", currency: "EUR", lines: [
            .init(id: "c3l1", orderLine: "l3", product: "p-shoe", category: "cat-shoes", reason: .sizeFit, quantity: 3)],
                            openedAt: "2024-03-20T00:00:00Z")   // still in review on 03-25: open and breached

        var c4 = CaseScript("c4", order: "o1", kind: .returnRefund, lines: [
            .init(id: "c4l1", orderLine: "l2", product: "p-shirt", category: "cat-apparel", reason: .notAsDescribed, quantity: 1)],
                            openedAt: "2024-03-06T00:00:00Z")
        c4.reject(at: "2024-03-06T12:00:00Z")

        var c5 = CaseScript("c5", order: "o1", kind: .repairWarranty, lines: [
            .init(id: "c5l1", orderLine: "l1", product: "p-shoe", category: "cat-shoes", reason: .defective, quantity: 1)],
                            openedAt: "2024-03-07T00:00:00Z")
        c5.approve(at: "2024-03-07T06:00:00Z")
        c5.receive(at: "2024-03-09T00:00:00Z")
        c5.inspect(at: "2024-03-10T00:00:00Z")
        c5.resolve(at: "2024-03-10T12:00:00Z")
        return c1.events + c2.events + c3.events + c4.events + c5.events
    }

    static var refunds: [ReportingV1.EventEnvelope] {
        [Events.refund(.refundCreated, "r1", caseID: "c1", orderID: "o1", currency: "CNY", minor: 19_900, status: .pending,
                       createdAt: "2024-03-12T00:00:00Z", updatedAt: "2024-03-12T00:00:00Z", version: 1),
         Events.refund(.refundSucceeded, "r1", caseID: "c1", orderID: "o1", currency: "CNY", minor: 19_900, status: .succeeded,
                       createdAt: "2024-03-12T00:00:00Z", updatedAt: "2024-03-12T10:00:00Z", version: 2),
         Events.refund(.refundSucceeded, "r2", caseID: "c2", orderID: "o2", currency: "EUR", minor: 2_550, status: .succeeded,
                       createdAt: "2024-03-15T00:00:01Z", updatedAt: "2024-03-16T00:00:02Z", version: 2),
         Events.refund(.refundSucceeded, "r3", caseID: "c2", orderID: "o2", currency: "EUR", minor: 1_000, status: .succeeded,
                       createdAt: "2024-03-15T00:00:01Z", updatedAt: "2024-03-15T20:00:00Z", version: 2),
         Events.refund(.refundCreated, "r4", caseID: "c1", orderID: "o1", currency: "CNY", minor: 5_000, status: .pending,
                       createdAt: "2024-03-12T00:00:00Z", updatedAt: "2024-03-12T00:00:00Z", version: 1)]
    }

    static var feedback: [ReportingV1.EventEnvelope] {
        [Events.feedback("f1", rating: 2, sentiment: -0.5, category: .sizeFit, product: "p-shoe", order: "o1", createdAt: "2024-03-04T09:00:00Z"),
         Events.feedback("f2", rating: 4, sentiment: 0.5, category: .quality, product: "p-mug", order: "o2", createdAt: "2024-03-10T23:59:59Z"),
         Events.feedback("f3", rating: 1, sentiment: -1.0, category: .defect, product: "p-shoe", order: "o2", createdAt: "2024-03-11T00:00:00Z"),
         Events.feedback("f4", rating: 4, sentiment: 0.8, category: .unspecified, product: "p-shirt", order: "o1", createdAt: "2024-03-11T08:00:00Z")]
    }

    static var shipments: [ReportingV1.EventEnvelope] {
        [Events.shipment("s1", caseID: "c1", status: .pickedUp, version: 2, at: "2024-03-07T00:00:00Z")]
    }

    static var all: [ReportingV1.EventEnvelope] { orders + cases + refunds + feedback + shipments }
}

/// A reporting database in a temporary directory.
struct ReportingFixture {
    let directory: TemporaryDirectory
    let database: ServiceDatabase

    init() throws {
        directory = try TemporaryDirectory("reporting-test")
        database = try ReportingServiceApp.openDatabase(path: directory.file("reporting.sqlite"))
    }

    init(directory: TemporaryDirectory, database: ServiceDatabase) {
        self.directory = directory
        self.database = database
    }

    var path: String { directory.file("reporting.sqlite") }

    @discardableResult
    func ingest(_ events: [ReportingV1.EventEnvelope], now: Date = March.now) async throws -> ReportingV1.IngestEventsResponse {
        try await database.write { db in try ReportingStore.ingest(db, events, now: now) }
    }

    func table(_ kind: ReportingV1.ReportKind, _ groupBy: [ReportingV1.ReportDimension] = [], range: ReportingV1.TimeRange = March.month,
               market: String = "", currency: String = "", category: String = "", product: String = "", limit: Int32 = 0,
               now: Date = March.now) async throws -> ReportingV1.Table {
        let spec = try ReportSpec(ReportingV1.GetReportRequest(kind: kind, range: range, groupBy: groupBy, market: market, currency: currency,
                                                               categoryID: category, productID: product, limit: limit))
        return try await database.read { db in try ReportQuery.table(db, spec, now: now.epochMicros) }
    }
}

extension ReportingV1.Table {
    /// Rows as plain text, the way a person reads the CSV: `[["p-shoe", "20", "5", "2500"], …]`.
    var text: [[String]] { rows.map { $0.cells.map(TableRenderer.text) } }
}
