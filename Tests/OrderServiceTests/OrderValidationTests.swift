import AfterSaleTestSupport
import Foundation
@testable import OrderService
import RPCShared
import ServiceRuntime
import Testing

/// Bad input for every method over a real socket: the exact status, a message naming the field, and nothing
/// stored changed afterwards.
@Suite struct OrderValidationTests {
    struct BadCall: Sendable, CustomStringConvertible {
        let name: String
        let code: StatusCode
        let mentioning: String
        let call: @Sendable (OrderV1.OrderService.Client) async throws -> Void
        var description: String { name }
    }

    static let long = String(repeating: "x", count: 5_000)
    static let longID = String(repeating: "i", count: 200)

    /// Calls that must fail against an order `o` (line ids `l0`, `l1`, fulfilment `f`) and a REQUESTED case `c`.
    static func badCalls(order o: OrderV1.Order, caseID c: String) -> [BadCall] {
        let m: @Sendable () -> CallOptions = { CallOptions.mutating() }
        let l0 = o.lines[0].id
        var noCurrency = OrderHarness.sampleOrder()
        noCurrency.lines[1].unitPrice = CommonV1.Money(currency: "USD", minorUnits: 1)
        var negative = OrderHarness.sampleOrder()
        negative.lines[0].quantity = -2
        var badFulfilment = OrderHarness.sampleOrder()
        badFulfilment.fulfilments[0].lines[0].quantity = 9
        var duplicate = OrderHarness.sampleOrder()
        duplicate.id = o.id
        var sameLine = OrderHarness.sampleOrder()
        sameLine.lines[1].id = o.lines[1].id
        sameLine.fulfilments[0].lines[1].orderLineID = o.lines[1].id
        let requests = (noCurrency: noCurrency, negative: negative, badFulfilment: badFulfilment, duplicate: duplicate, sameLine: sameLine)
        let openLine = OrderV1.OpenCaseLine(orderLineID: l0, quantity: 1, reason: .defective, requestedResolution: .refund)
        return [
            BadCall(name: "CreateOrder without order", code: .invalidArgument, mentioning: "order: is required") { _ = try await $0.createOrder(.init(), options: m()) },
            BadCall(name: "CreateOrder mixed currency", code: .invalidArgument, mentioning: "order.lines[1].unit_price.currency") { _ = try await $0.createOrder(.init(order: requests.noCurrency), options: m()) },
            BadCall(name: "CreateOrder negative quantity", code: .invalidArgument, mentioning: "order.lines[0].quantity") { _ = try await $0.createOrder(.init(order: requests.negative), options: m()) },
            BadCall(name: "CreateOrder over-fulfilled", code: .invalidArgument, mentioning: "order.fulfilments") { _ = try await $0.createOrder(.init(order: requests.badFulfilment), options: m()) },
            BadCall(name: "CreateOrder existing id", code: .alreadyExists, mentioning: o.id) { _ = try await $0.createOrder(.init(order: requests.duplicate), options: m()) },
            BadCall(name: "CreateOrder line id in use", code: .alreadyExists, mentioning: "order line \(o.lines[1].id)") {
                _ = try await $0.createOrder(.init(order: requests.sameLine), options: m())
            },
            BadCall(name: "CreateOrder oversize title", code: .invalidArgument, mentioning: "order.lines[0].title") {
                var order = OrderHarness.sampleOrder()
                order.lines[0].title = long
                _ = try await $0.createOrder(.init(order: order), options: m())
            },
            BadCall(name: "GetOrder missing id", code: .invalidArgument, mentioning: "order_id") { _ = try await $0.getOrder(.init()) },
            BadCall(name: "GetOrder unknown id", code: .notFound, mentioning: "order nope") { _ = try await $0.getOrder(.init(orderID: "nope")) },
            BadCall(name: "ListOrders without customer", code: .invalidArgument, mentioning: "customer_id") { _ = try await $0.listOrders(.init()) },
            BadCall(name: "ListOrders negative page", code: .invalidArgument, mentioning: "page.page_size") { _ = try await $0.listOrders(.init(page: .init(pageSize: -1), customerID: "c")) },
            BadCall(name: "RecordFulfilment unknown line", code: .invalidArgument, mentioning: "fulfilment.lines[0].order_line_id") {
                _ = try await $0.recordFulfilment(.init(orderID: o.id, fulfilment: .init(lines: [.init(orderLineID: "zz", quantity: 1)])), options: m())
            },
            BadCall(name: "RecordFulfilment negative quantity", code: .invalidArgument, mentioning: "fulfilment.lines[0].quantity") {
                _ = try await $0.recordFulfilment(.init(orderID: o.id, fulfilment: .init(lines: [.init(orderLineID: l0, quantity: -1)])), options: m())
            },
            BadCall(name: "RecordFulfilment unknown order", code: .notFound, mentioning: "order nope") {
                _ = try await $0.recordFulfilment(.init(orderID: "nope", fulfilment: .init(lines: [.init(orderLineID: l0, quantity: 1)])), options: m())
            },
            BadCall(name: "MarkDelivered missing fulfilment", code: .invalidArgument, mentioning: "fulfilment_id") { _ = try await $0.markDelivered(.init(orderID: o.id), options: m()) },
            BadCall(name: "MarkDelivered unknown fulfilment", code: .notFound, mentioning: "fulfilment nope") { _ = try await $0.markDelivered(.init(orderID: o.id, fulfilmentID: "nope"), options: m()) },
            BadCall(name: "RecordPayment wrong currency", code: .invalidArgument, mentioning: "payment.captured.currency") {
                _ = try await $0.recordPayment(.init(orderID: o.id, payment: .init(method: .card, captured: .init(currency: "USD", minorUnits: 5))), options: m())
            },
            BadCall(name: "RecordPayment negative amount", code: .invalidArgument, mentioning: "payment.captured.minor_units") {
                _ = try await $0.recordPayment(.init(orderID: o.id, payment: .init(method: .card, captured: eur(-5))), options: m())
            },
            BadCall(name: "RecordPayment unknown method", code: .invalidArgument, mentioning: "payment.method") {
                _ = try await $0.recordPayment(.init(orderID: o.id, payment: .init(method: .unrecognized(77), captured: eur(5))), options: m())
            },
            BadCall(name: "RecordPayment unknown case", code: .notFound, mentioning: "case nope") {
                _ = try await $0.recordPayment(.init(orderID: o.id, payment: .init(method: .card, captured: eur(5), caseID: "nope")), options: m())
            },
            BadCall(name: "OpenCase no lines", code: .invalidArgument, mentioning: "lines: needs at least one") {
                _ = try await $0.openCase(.init(orderID: o.id, customerID: o.customerID, kind: .returnRefund), options: m())
            },
            BadCall(name: "OpenCase negative quantity", code: .invalidArgument, mentioning: "lines[0].quantity") {
                var line = openLine
                line.quantity = -1
                _ = try await $0.openCase(.init(orderID: o.id, customerID: o.customerID, kind: .returnRefund, lines: [line]), options: m())
            },
            BadCall(name: "OpenCase no kind", code: .invalidArgument, mentioning: "kind: is required") {
                _ = try await $0.openCase(.init(orderID: o.id, customerID: o.customerID, lines: [openLine]), options: m())
            },
            BadCall(name: "OpenCase unknown order", code: .notFound, mentioning: "order nope") {
                _ = try await $0.openCase(.init(orderID: "nope", customerID: o.customerID, kind: .returnRefund, lines: [openLine]), options: m())
            },
            BadCall(name: "OpenCase unknown line", code: .invalidArgument, mentioning: "lines[0].order_line_id") {
                var line = openLine
                line.orderLineID = "zz"
                _ = try await $0.openCase(.init(orderID: o.id, customerID: o.customerID, kind: .returnRefund, lines: [line]), options: m())
            },
            BadCall(name: "OpenCase other customer", code: .invalidArgument, mentioning: "customer_id") {
                _ = try await $0.openCase(.init(orderID: o.id, customerID: "someone", kind: .returnRefund, lines: [openLine]), options: m())
            },
            BadCall(name: "OpenCase exchange without sku", code: .invalidArgument, mentioning: "lines[0].exchange_sku") {
                var line = openLine
                line.requestedResolution = .exchange
                line.exchangeUnitPrice = eur(100)
                _ = try await $0.openCase(.init(orderID: o.id, customerID: o.customerID, kind: .exchange, lines: [line]), options: m())
            },
            BadCall(name: "OpenCase exchange price currency", code: .invalidArgument, mentioning: "lines[0].exchange_unit_price.currency") {
                var line = openLine
                line.requestedResolution = .exchange
                line.exchangeSKU = "SKU-X"
                line.exchangeUnitPrice = .init(currency: "JPY", minorUnits: 100)
                _ = try await $0.openCase(.init(orderID: o.id, customerID: o.customerID, kind: .exchange, lines: [line]), options: m())
            },
            BadCall(name: "OpenCase oversize reason", code: .invalidArgument, mentioning: "lines[0].reason_text") {
                var line = openLine
                line.reasonText = long
                _ = try await $0.openCase(.init(orderID: o.id, customerID: o.customerID, kind: .returnRefund, lines: [line]), options: m())
            },
            BadCall(name: "OpenCase too many units", code: .failedPrecondition, mentioning: "left to claim") {
                var line = openLine
                line.quantity = 4
                _ = try await $0.openCase(.init(orderID: o.id, customerID: o.customerID, kind: .returnRefund, lines: [line]), options: m())
            },
            BadCall(name: "OpenCase bad fee bp", code: .invalidArgument, mentioning: "fee_terms.restocking_fee_bp") {
                _ = try await $0.openCase(.init(orderID: o.id, customerID: o.customerID, kind: .returnRefund, lines: [openLine],
                                            feeTerms: .init(restockingFeeBp: 20_000)), options: m())
            },
            BadCall(name: "GetCase oversize id", code: .invalidArgument, mentioning: "case_id: is longer") { _ = try await $0.getCase(.init(caseID: longID)) },
            BadCall(name: "GetCase unknown", code: .notFound, mentioning: "case nope") { _ = try await $0.getCase(.init(caseID: "nope")) },
            BadCall(name: "ListCases unknown status", code: .invalidArgument, mentioning: "statuses[0]") { _ = try await $0.listCases(.init(statuses: [.unrecognized(42)])) },
            BadCall(name: "ApproveCase missing id", code: .invalidArgument, mentioning: "case_id") { _ = try await $0.approveCase(.init(), options: m()) },
            BadCall(name: "ApproveCase negative quantity", code: .invalidArgument, mentioning: "lines[0].quantity") {
                _ = try await $0.approveCase(.init(caseID: c, lines: [.init(caseLineID: "x", quantity: -1)]), options: m())
            },
            BadCall(name: "ApproveCase unknown line", code: .invalidArgument, mentioning: "lines[0].case_line_id") {
                _ = try await $0.approveCase(.init(caseID: c, lines: [.init(caseLineID: "x", quantity: 1)]), options: m())
            },
            BadCall(name: "ApproveCase unknown case", code: .notFound, mentioning: "case nope") { _ = try await $0.approveCase(.init(caseID: "nope"), options: m()) },
            BadCall(name: "ApproveCase fee currency", code: .invalidArgument, mentioning: "fee_terms.return_shipping_fee.currency") {
                _ = try await $0.approveCase(.init(caseID: c, feeTerms: .init(returnShippingFee: .init(currency: "USD", minorUnits: 1))), options: m())
            },
            BadCall(name: "RejectCase no reason", code: .invalidArgument, mentioning: "reason: is required") { _ = try await $0.rejectCase(.init(caseID: c), options: m()) },
            BadCall(name: "RejectCase oversize message", code: .invalidArgument, mentioning: "message") {
                _ = try await $0.rejectCase(.init(caseID: c, reason: .other, message: long), options: m())
            },
            BadCall(name: "CancelCase negative version", code: .invalidArgument, mentioning: "expected_version") {
                _ = try await $0.cancelCase(.init(caseID: c, expectedVersion: -1), options: m())
            },
            BadCall(name: "AttachShipment no role", code: .invalidArgument, mentioning: "role") {
                _ = try await $0.attachShipment(.init(caseID: c, shipmentID: "s"), options: m())
            },
            BadCall(name: "AttachShipment no shipment", code: .invalidArgument, mentioning: "shipment_id") {
                _ = try await $0.attachShipment(.init(caseID: c, role: .reverse), options: m())
            },
            BadCall(name: "MarkShipped bad actor", code: .invalidArgument, mentioning: "actor.kind") {
                _ = try await $0.markShipped(.init(caseID: c, actor: .init(kind: .unrecognized(9))), options: m())
            },
            BadCall(name: "RecordReceipt zero quantity", code: .invalidArgument, mentioning: "lines[0].quantity") {
                _ = try await $0.recordReceipt(.init(caseID: c, lines: [.init(caseLineID: "x", quantity: 0)]), options: m())
            },
            BadCall(name: "RecordReceipt no lines", code: .invalidArgument, mentioning: "lines") { _ = try await $0.recordReceipt(.init(caseID: c), options: m()) },
            BadCall(name: "InspectCase negative", code: .invalidArgument, mentioning: "lines[0].accepted_quantity") {
                _ = try await $0.inspectCase(.init(caseID: c, lines: [.init(caseLineID: "x", acceptedQuantity: -1)]), options: m())
            },
            BadCall(name: "InspectCase no disposition", code: .invalidArgument, mentioning: "lines[0].disposition") {
                _ = try await $0.inspectCase(.init(caseID: c, lines: [.init(caseLineID: "x", acceptedQuantity: 1)]), options: m())
            },
            BadCall(name: "QuoteSettlement unknown case", code: .notFound, mentioning: "case nope") { _ = try await $0.quoteSettlement(.init(caseID: "nope")) },
            BadCall(name: "QuoteSettlement unknown resolution", code: .invalidArgument, mentioning: "resolution") {
                _ = try await $0.quoteSettlement(.init(caseID: c, resolution: .unrecognized(99)))
            },
            BadCall(name: "ResolveCase no resolution", code: .invalidArgument, mentioning: "resolution: is required") { _ = try await $0.resolveCase(.init(caseID: c), options: m()) },
            BadCall(name: "ResolveCase bad expiry", code: .invalidArgument, mentioning: "store_credit_expires_at") {
                _ = try await $0.resolveCase(.init(caseID: c, resolution: .storeCredit, storeCreditExpiresAt: .init(seconds: -5, nanos: 0)), options: m())
            },
            BadCall(name: "CloseCase oversize note", code: .invalidArgument, mentioning: "note") { _ = try await $0.closeCase(.init(caseID: c, note: long), options: m()) },
            BadCall(name: "ReopenCase unknown", code: .notFound, mentioning: "case nope") { _ = try await $0.reopenCase(.init(caseID: "nope"), options: m()) },
            BadCall(name: "ExpireOverdue limit", code: .invalidArgument, mentioning: "limit") { _ = try await $0.expireOverdue(.init(limit: -1), options: m()) },
            BadCall(name: "ExpireOverdue bad id", code: .invalidArgument, mentioning: "case_ids[0]") { _ = try await $0.expireOverdue(.init(caseIDs: ["has space"]), options: m()) },
            BadCall(name: "GetTimeline missing id", code: .invalidArgument, mentioning: "case_id") { _ = try await $0.getTimeline(.init()) },
            BadCall(name: "GetTimeline unknown", code: .notFound, mentioning: "case nope") { _ = try await $0.getTimeline(.init(caseID: "nope")) },
            BadCall(name: "ListRefunds unknown status", code: .invalidArgument, mentioning: "statuses[0]") { _ = try await $0.listRefunds(.init(statuses: [.unspecified])) },
            BadCall(name: "RetryRefund missing id", code: .invalidArgument, mentioning: "refund_id") { _ = try await $0.retryRefund(.init(), options: m()) },
            BadCall(name: "RetryRefund unknown", code: .notFound, mentioning: "refund nope") { _ = try await $0.retryRefund(.init(refundID: "nope"), options: m()) },
            BadCall(name: "RecordRefundOutcome contradictory", code: .invalidArgument, mentioning: "failure_reason") {
                _ = try await $0.recordRefundOutcome(.init(refundID: "r", succeeded: true, failureReason: "x"), options: m())
            },
            BadCall(name: "RecordRefundOutcome unknown", code: .notFound, mentioning: "refund nope") {
                _ = try await $0.recordRefundOutcome(.init(refundID: "nope", succeeded: true), options: m())
            },
        ]
    }

    @Test func everyMethodRefusesBadInputAndChangesNothing() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()
            let opened = try await harness.openCase(order)
            let snapshot = try await Self.snapshot(harness, order.id, opened.id)
            for bad in Self.badCalls(order: order, caseID: opened.id) {
                await expectFailure(bad.code, mentioning: bad.mentioning) { try await bad.call(harness.client) }
            }
            #expect(try await Self.snapshot(harness, order.id, opened.id) == snapshot)
        }
    }

    @Test func everyMutatingMethodNeedsAnIdempotencyKey() async throws {
        try await withHarness { harness in
            let client = harness.client
            let calls: [@Sendable () async throws -> Void] = [
                { _ = try await client.createOrder(.init(order: OrderHarness.sampleOrder())) },
                { _ = try await client.recordFulfilment(.init(orderID: "o", fulfilment: .init(lines: [.init(orderLineID: "l", quantity: 1)]))) },
                { _ = try await client.markDelivered(.init(orderID: "o", fulfilmentID: "f")) },
                { _ = try await client.recordPayment(.init(orderID: "o", payment: .init(method: .card, captured: eur(1)))) },
                { _ = try await client.approveCase(.init(caseID: "c")) },
                { _ = try await client.rejectCase(.init(caseID: "c", reason: .other)) },
                { _ = try await client.cancelCase(.init(caseID: "c")) },
                { _ = try await client.markShipped(.init(caseID: "c")) },
                { _ = try await client.closeCase(.init(caseID: "c")) },
                { _ = try await client.reopenCase(.init(caseID: "c")) },
                { _ = try await client.expireOverdue(.init()) },
                { _ = try await client.retryRefund(.init(refundID: "r")) },
            ]
            for call in calls {
                await expectFailure(.invalidArgument, mentioning: "metadata.idempotency-key") { try await call() }
            }
        }
    }

    /// Everything a failed call could have touched.
    static func snapshot(_ harness: OrderHarness, _ orderID: String, _ caseID: String) async throws -> String {
        let order = try await harness.client.getOrder(.init(orderID: orderID))
        let afterSaleCase = try await harness.client.getCase(.init(caseID: caseID))
        let timeline = try await harness.client.getTimeline(.init(caseID: caseID))
        let orders = try await harness.client.listOrders(.init(customerID: order.customerID))
        let outbox = try await harness.outboxTypes()
        return [order.jsonString(), afterSaleCase.jsonString(), timeline.jsonString(), orders.jsonString(), "\(outbox)"].joined(separator: "\n")
    }
}
