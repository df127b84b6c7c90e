import AfterSaleTestSupport
import Foundation
import GRDB
@testable import OrderService
import RPCShared
import ServiceRuntime
import Testing

/// OrderService over a real socket: orders, the case flows of each kind, the ledger, idempotency, versions and
/// pagination.
@Suite struct OrderHandlerTests {
    @Test func createGetAndListOrders() async throws {
        try await withHarness { harness in
            var created: [OrderV1.Order] = []
            for day in 0..<3 {
                var order = OrderHarness.sampleOrder(customerID: "cus_list")
                order.placedAt = CommonV1.Timestamp(epochSeconds: 1_700_000_000 + Int64(day) * 86_400)
                created.append(try await harness.createOrder(order))
            }
            let first = created[0]
            #expect(first.id.hasPrefix("ord_"))
            #expect(first.version == 1)
            #expect(first.payments.allSatisfy { $0.id.hasPrefix("pay_") && $0.refunded == eur(0) })
            #expect(try await harness.client.getOrder(.init(orderID: first.id)) == first)

            let page1 = try await harness.client.listOrders(.init(page: .init(pageSize: 2), customerID: "cus_list"))
            #expect(page1.orders.map(\.id) == [created[2].id, created[1].id])
            let page2 = try await harness.client.listOrders(.init(page: .init(pageSize: 2, pageToken: page1.page?.nextPageToken ?? ""),
                                                                  customerID: "cus_list"))
            #expect(page2.orders.map(\.id) == [created[0].id])
            #expect(page2.page?.nextPageToken ?? "" == "")
            let ranged = try await harness.client.listOrders(.init(customerID: "cus_list", placedAfter: created[1].placedAt,
                                                                   placedBefore: created[2].placedAt))
            #expect(ranged.orders.map(\.id) == [created[1].id])
            await expectFailure(.invalidArgument, mentioning: "page.page_token") {
                _ = try await harness.client.listOrders(.init(page: .init(pageToken: page1.page?.nextPageToken ?? ""), customerID: "other"))
            }
            #expect(try await harness.outboxTypes() == [.orderPlaced, .orderPlaced, .orderPlaced])
            let queuedSales = try await harness.database.read { db in try OrderStore.pendingCallCount(db, kind: SaleRecorder.kind) }
            #expect(queuedSales == 6)
        }
    }

    @Test func fulfilmentDeliveryAndPayment() async throws {
        try await withHarness { harness in
            var draft = OrderHarness.sampleOrder(delivered: false)
            draft.fulfilments = []
            let order = try await harness.createOrder(draft)
            await expectFailure(.failedPrecondition, reason: "QUANTITY_EXCEEDED") {
                _ = try await harness.openCase(order)
            }
            let shipped = try await harness.client.recordFulfilment(.init(orderID: order.id, expectedVersion: 1, fulfilment: .init(
                lines: [.init(orderLineID: order.lines[0].id, quantity: 2)], warehouseID: "wh-1")), options: .mutating())
            #expect(shipped.version == 2 && shipped.fulfilments.count == 1)
            await expectFailure(.failedPrecondition, reason: "QUANTITY_EXCEEDED") {
                _ = try await harness.client.recordFulfilment(.init(orderID: order.id, fulfilment: .init(
                    lines: [.init(orderLineID: order.lines[0].id, quantity: 2)])), options: .mutating())
            }
            let delivered = try await harness.client.markDelivered(.init(orderID: order.id, fulfilmentID: shipped.fulfilments[0].id),
                                                                    options: .mutating())
            #expect(delivered.fulfilments[0].deliveredAt != nil && delivered.version == 3)
            let again = try await harness.client.markDelivered(.init(orderID: order.id, fulfilmentID: shipped.fulfilments[0].id),
                                                                options: .mutating())
            #expect(again.version == 3, "a repeated delivery scan changes nothing")
            let paid = try await harness.client.recordPayment(.init(orderID: order.id, payment: .init(method: .giftCard, captured: eur(500))),
                                                              options: .mutating())
            #expect(paid.payments.count == 3 && paid.version == 4)
            #expect(try await harness.outboxTypes() == [.orderPlaced, .orderDelivered])
            // 2 delivered: a return of 2 fits, a third unit does not.
            _ = try await harness.openCase(order, units: [2])
            await expectFailure(.failedPrecondition, reason: "QUANTITY_EXCEEDED") { _ = try await harness.openCase(order, units: [1]) }
        }
    }

    @Test func returnRefundFromRequestToClose() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()
            let opened = try await harness.openCase(order, units: [2, 1])
            #expect(opened.status == .requested && opened.version == 1 && opened.lines.count == 2)
            #expect(try await harness.client.getOrder(.init(orderID: order.id)).lines.map(\.openCaseQuantity) == [2, 1])

            let quoteBefore = try await harness.client.quoteSettlement(.init(caseID: opened.id))
            #expect(quoteBefore.lines.allSatisfy { $0.quantityBasis == .requested } && !quoteBefore.isFinal)

            // Partial approval: line B declined.
            let approved = try await harness.client.approveCase(.init(
                caseID: opened.id, expectedVersion: 1, lines: [.init(caseLineID: opened.lines[1].id, quantity: 0)],
                merchantAtFault: .init(value: true), actor: agentActor), options: .mutating())
            #expect(approved.status == .approved && approved.merchantAtFault)
            #expect(approved.lines.map { $0.quantities?.approved ?? -1 } == [2, 0])
            #expect(approved.authorisationExpiresAt != nil)
            #expect(try await harness.client.getOrder(.init(orderID: order.id)).lines.map(\.openCaseQuantity) == [2, 0])
            let quoteApproved = try await harness.client.quoteSettlement(.init(caseID: opened.id))
            #expect(quoteApproved.lines.allSatisfy { $0.quantityBasis == .approved })

            let labelled = try await harness.client.attachShipment(.init(caseID: opened.id, role: .reverse, shipmentID: "shp-1"),
                                                                   options: .mutating())
            #expect(labelled.status == .awaitingShipment && labelled.returnShipmentID == "shp-1")
            let shipped = try await harness.client.markShipped(.init(caseID: opened.id, shipmentID: "shp-1"), options: .mutating())
            #expect(shipped.status == .inTransit)
            let partly = try await harness.client.recordReceipt(.init(caseID: opened.id, lines: [.init(caseLineID: opened.lines[0].id, quantity: 1)]),
                                                                options: .mutating())
            #expect(partly.status == .received && partly.lines[0].quantities?.received == 1)
            await expectFailure(.failedPrecondition, reason: "QUANTITY_EXCEEDED") {
                _ = try await harness.client.recordReceipt(.init(caseID: opened.id, lines: [.init(caseLineID: opened.lines[0].id, quantity: 2)]),
                                                           options: .mutating())
            }
            let received = try await harness.client.recordReceipt(.init(caseID: opened.id, lines: [.init(caseLineID: opened.lines[0].id, quantity: 1)]),
                                                                  options: .mutating())
            #expect(received.lines[0].quantities?.received == 2)
            await expectFailure(.invalidArgument, mentioning: "accepted + rejected") {
                _ = try await harness.client.inspectCase(.init(caseID: opened.id, lines: [.init(caseLineID: opened.lines[0].id, acceptedQuantity: 1,
                                                                                                  disposition: .restock)]), options: .mutating())
            }
            let inspected = try await harness.client.inspectCase(.init(caseID: opened.id, lines: [.init(
                caseLineID: opened.lines[0].id, acceptedQuantity: 1, rejectedQuantity: 1, disposition: .restock,
                findings: [.usedOrWorn])]), options: .mutating())
            #expect(inspected.status == .inspected)
            #expect(inspected.lines[0].quantities == OrderV1.QuantityLedger(requested: 2, approved: 2, received: 2, accepted: 1, rejected: 1))
            #expect(inspected.lines[0].inspection?.rejectedDisposition == .returnToCustomer)
            #expect(try await harness.client.quoteSettlement(.init(caseID: opened.id)).lines.allSatisfy { $0.quantityBasis == .accepted })

            let resolved = try await harness.resolve(inspected)
            #expect(resolved.status == .resolved && resolved.resolvedAt != nil)
            let settlement = try #require(resolved.settlement)
            #expect(settlement.isFinal && settlement.lines.allSatisfy { $0.quantityBasis == .accepted })
            let refunds = try await harness.client.listRefunds(.init(caseID: opened.id)).refunds
            // One refund per allocation, same payment and amount, PENDING with its derived key.
            #expect(refunds.count == settlement.allocations.count && !refunds.isEmpty)
            for allocation in settlement.allocations {
                let refund = try #require(refunds.first { $0.paymentID == allocation.paymentID })
                #expect(refund.amount == allocation.amount && refund.destination == allocation.destination)
                #expect(refund.status == .pending && refund.idempotencyKey == "refund:\(refund.id)" && refund.attempts == 1)
            }
            let afterResolve = try await harness.client.getOrder(.init(orderID: order.id))
            #expect(afterResolve.lines.map(\.returnedQuantity) == [1, 0], "accepted units count as returned")
            #expect(afterResolve.lines.map(\.openCaseQuantity) == [0, 0])

            await expectFailure(.failedPrecondition, reason: "REFUNDS_OUTSTANDING") {
                _ = try await harness.client.closeCase(.init(caseID: opened.id), options: .mutating())
            }
            #expect(await harness.components.refundExecutor.executePending() == refunds.count)
            let paidBack = try await harness.client.getOrder(.init(orderID: order.id))
            let refundedTotal = paidBack.payments.reduce(Int64(0)) { $0 + ($1.refunded?.minorUnits ?? 0) }
            #expect(refundedTotal == settlement.refundTotal?.amount?.minorUnits)
            let closed = try await harness.client.closeCase(.init(caseID: opened.id, note: "done"), options: .mutating())
            #expect(closed.status == .closed && closed.closedAt != nil)

            // Reopening a settled case does not claim its units again: they are already counted as returned.
            let reopened = try await harness.client.reopenCase(.init(caseID: opened.id, reason: "customer disputes"), options: .mutating())
            #expect(reopened.status == .reopened && reopened.settlement?.isFinal == true)
            let afterReopen = try await harness.client.getOrder(.init(orderID: order.id))
            #expect(afterReopen.lines.map(\.returnedQuantity) == [1, 0] && afterReopen.lines.map(\.openCaseQuantity) == [0, 0])
            _ = try await harness.client.rejectCase(.init(caseID: opened.id, reason: .other, message: "dispute dismissed"), options: .mutating())
            #expect(try await harness.client.closeCase(.init(caseID: opened.id), options: .mutating()).status == .closed)

            let timeline = try await harness.client.getTimeline(.init(caseID: opened.id)).entries
            #expect(timeline.map(\.sequence) == Array(1...Int64(timeline.count)))
            let events = timeline.map(\.eventType)
            let n = refunds.count
            #expect(events == [.opened, .approved, .shipmentAttached, .shipped, .received, .received, .inspected, .resolved]
                    + Array(repeating: .refundCreated, count: n) + Array(repeating: .refundSucceeded, count: n) + [.closed, .reopened, .rejected, .closed])
            #expect(timeline[1].actor == agentActor && timeline[1].fromStatus == .requested && timeline[1].toStatus == .approved)
            #expect(timeline[1].before.contains("CASE_STATUS_REQUESTED") && timeline[1].after.contains("CASE_STATUS_APPROVED"))
            #expect(timeline[1].message == "Approved 2 of 3 unit(s)")
            let paged = try await harness.client.getTimeline(.init(page: .init(pageSize: 4), caseID: opened.id))
            let rest = try await harness.client.getTimeline(.init(page: .init(pageSize: 100, pageToken: paged.page?.nextPageToken ?? ""),
                                                                  caseID: opened.id))
            #expect((paged.entries + rest.entries) == timeline)

            // One outbox event per timeline entry, typed per the contract.
            let caseEvents = try await harness.outboxTypes().filter { $0 != .orderPlaced }
            #expect(caseEvents.count == timeline.count)
            #expect(caseEvents.first == .caseOpened)
            #expect(caseEvents.filter { $0 == .caseUpdated }.count == 1, "the second partial receipt changed no status")
            #expect(caseEvents.filter { $0 == .refundCreated }.count == refunds.count)
            #expect(caseEvents.filter { $0 == .refundSucceeded }.count == refunds.count)
            #expect(caseEvents.filter { $0 == .caseStatusChanged }.count == 10, "\(caseEvents)")
        }
    }

    @Test func refundOnlyResolvesFromApprovedOnApprovedUnits() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder(OrderHarness.sampleOrder(delivered: false))
            await expectFailure(.invalidArgument, mentioning: "lines[0].requested_resolution") {
                _ = try await harness.openCase(order, kind: .refundOnly, resolution: .replacement)
            }
            let opened = try await harness.openCase(order, kind: .refundOnly, units: [3])
            let approved = try await harness.approve(opened)
            await expectFailure(.failedPrecondition, reason: "CASE_TRANSITION_FORBIDDEN") {
                _ = try await harness.client.markShipped(.init(caseID: opened.id), options: .mutating())
            }
            await expectFailure(.invalidArgument, mentioning: "resolution") { _ = try await harness.resolve(approved, .replacement) }
            let resolved = try await harness.resolve(approved, .storeCredit)
            #expect(resolved.status == .resolved)
            #expect(resolved.settlement?.lines.map(\.quantityBasis) == [.approved])
            #expect(resolved.settlement?.allocations.allSatisfy { $0.destination == .storeCredit } == true)
            #expect(try await harness.client.getOrder(.init(orderID: order.id)).lines[0].returnedQuantity == 3)
        }
    }

    @Test func aReopenedSettledCaseIsNotPaidTwice() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder(OrderHarness.sampleOrder(delivered: false))
            let opened = try await harness.openCase(order, kind: .refundOnly, units: [1])
            let first = try await harness.resolve(try await harness.approve(opened))
            let paid = first.settlement?.refundTotal?.amount?.minorUnits ?? 0
            #expect(paid > 0)
            #expect(await harness.components.refundExecutor.executePending() > 0)
            _ = try await harness.client.closeCase(.init(caseID: opened.id), options: .mutating())

            // Reopened and settled again for the same unit: the case's earlier refunds already cover it.
            let reopened = try await harness.client.reopenCase(.init(caseID: opened.id, reason: "customer disputes"), options: .mutating())
            let second = try await harness.resolve(try await harness.approve(reopened))
            #expect(second.status == .resolved)
            let refunds = try await harness.client.listRefunds(.init(caseID: opened.id)).refunds
            #expect(refunds.reduce(Int64(0)) { $0 + ($1.amount?.minorUnits ?? 0) } == paid)
            await harness.components.refundExecutor.executePending()
            let after = try await harness.client.getOrder(.init(orderID: order.id))
            #expect(after.payments.reduce(Int64(0)) { $0 + ($1.refunded?.minorUnits ?? 0) } == paid)
        }
    }

    @Test func instantRefundIsClosedOnlyAfterReceiptAndInspection() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()
            let opened = try await harness.openCase(order, units: [1])
            let approved = try await harness.approve(opened, instantRefund: true)
            await expectFailure(.failedPrecondition, reason: "CASE_TRANSITION_FORBIDDEN") { _ = try await harness.resolve(approved) }
            _ = try await harness.client.markShipped(.init(caseID: opened.id), options: .mutating())
            let resolved = try await harness.resolve(approved)
            #expect(resolved.status == .resolved && resolved.settlement?.lines.first?.quantityBasis == .approved)
            await harness.components.refundExecutor.executePending()
            await expectFailure(.failedPrecondition, mentioning: "not yet received and inspected") {
                _ = try await harness.client.closeCase(.init(caseID: opened.id), options: .mutating())
            }
            let received = try await harness.receiveAll(resolved)
            #expect(received.status == .resolved)
            let inspected = try await harness.inspectAllAccepted(received)
            #expect(inspected.status == .resolved && inspected.lines[0].quantities?.accepted == 1)
            #expect(try await harness.client.closeCase(.init(caseID: opened.id), options: .mutating()).status == .closed)
            #expect(try await harness.client.getOrder(.init(orderID: order.id)).lines[0].returnedQuantity == 1)
        }
    }

    @Test func rejectCancelExpireAndReopen() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()
            let first = try await harness.openCase(order, units: [2])
            let rejected = try await harness.client.rejectCase(.init(caseID: first.id, reason: .windowPassed, message: "Too late"),
                                                               options: .mutating())
            #expect(rejected.status == .rejected && rejected.statusReason == "Too late")
            #expect(try await harness.client.getOrder(.init(orderID: order.id)).lines[0].openCaseQuantity == 0)

            // Another case takes 2 of the 3 units; reopening the rejected one (2 units) no longer fits.
            let second = try await harness.openCase(order, units: [2])
            await expectFailure(.failedPrecondition, reason: "QUANTITY_EXCEEDED") {
                _ = try await harness.client.reopenCase(.init(caseID: first.id, reason: "appeal"), options: .mutating())
            }
            let canceled = try await harness.client.cancelCase(.init(caseID: second.id, reason: "changed my mind"), options: .mutating())
            #expect(canceled.status == .canceled)
            let reopened = try await harness.client.reopenCase(.init(caseID: first.id, reason: "appeal"), options: .mutating())
            #expect(reopened.status == .reopened && reopened.statusReason == "appeal")

            // Approved with an authorisation that already lapsed: ExpireOverdue expires it, once.
            let approved = try await harness.client.approveCase(.init(caseID: first.id, authorisationExpiresAt: CommonV1.Timestamp(Date(timeIntervalSinceNow: -60))),
                                                                options: .mutating())
            #expect(approved.status == .approved)
            let notYet = try await harness.client.expireOverdue(.init(asOf: CommonV1.Timestamp(Date(timeIntervalSinceNow: -3600))), options: .mutating())
            #expect(notYet.expiredCaseIDs.isEmpty)
            let expired = try await harness.client.expireOverdue(.init(), options: .mutating())
            #expect(expired.expiredCaseIDs == [first.id])
            #expect(try await harness.client.getCase(.init(caseID: first.id)).status == .expired)
            #expect(try await harness.client.expireOverdue(.init(), options: .mutating()).expiredCaseIDs.isEmpty)
            let timeline = try await harness.client.getTimeline(.init(caseID: first.id)).entries
            #expect(timeline.map(\.eventType) == [.opened, .rejected, .reopened, .approved, .expired])
            #expect(timeline.last?.actor?.kind == .system)

            // Canceling after goods arrived is refused; CLOSED from the terminal statuses.
            let third = try await harness.openCase(order, units: [1])
            _ = try await harness.receiveAll(try await harness.approve(third))
            await expectFailure(.failedPrecondition, reason: "CASE_TRANSITION_FORBIDDEN") {
                _ = try await harness.client.cancelCase(.init(caseID: third.id), options: .mutating())
            }
            for id in [first.id, second.id] {
                #expect(try await harness.client.closeCase(.init(caseID: id), options: .mutating()).status == .closed)
            }
        }
    }

    @Test func forbiddenTransitionsChangeNothing() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()
            let opened = try await harness.openCase(order)
            let calls: [(String, @Sendable () async throws -> Void)] = [
                ("resolve", { _ = try await harness.resolve(opened) }),
                ("inspect", { _ = try await harness.inspectAllAccepted(opened) }),
                ("markShipped", { _ = try await harness.client.markShipped(.init(caseID: opened.id), options: .mutating()) }),
                ("close", { _ = try await harness.client.closeCase(.init(caseID: opened.id), options: .mutating()) }),
                ("reopen", { _ = try await harness.client.reopenCase(.init(caseID: opened.id), options: .mutating()) }),
                ("attach", { _ = try await harness.client.attachShipment(.init(caseID: opened.id, role: .reverse, shipmentID: "s"), options: .mutating()) }),
            ]
            for (name, call) in calls {
                await expectFailure(.failedPrecondition, mentioning: "REQUESTED", reason: "CASE_TRANSITION_FORBIDDEN") { try await call() }
                _ = name
            }
            let after = try await harness.client.getCase(.init(caseID: opened.id))
            #expect(after == opened)
            #expect(try await harness.client.getTimeline(.init(caseID: opened.id)).entries.count == 1)
        }
    }

    @Test func exchangeNeedsTheBalancePaidFirst() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()
            let opened = try await harness.client.openCase(.init(orderID: order.id, customerID: order.customerID, kind: .exchange, lines: [
                .init(orderLineID: order.lines[0].id, quantity: 1, reason: .sizeFit, requestedResolution: .exchange,
                      exchangeSKU: "SKU-A-XL", exchangeUnitPrice: eur(9_000)),
            ]), options: .mutating())
            let inspected = try await harness.inspectAllAccepted(try await harness.receiveAll(try await harness.approve(opened)))
            let quote = try await harness.client.quoteSettlement(.init(caseID: opened.id, resolution: .exchange))
            let owed = try #require(quote.customerOwes?.amount?.minorUnits)
            #expect(owed > 0)
            await expectFailure(.failedPrecondition, reason: "PAYMENT_REQUIRED") { _ = try await harness.resolve(inspected, .exchange) }
            #expect(try await harness.client.getCase(.init(caseID: opened.id)).status == .inspected)
            await expectFailure(.invalidArgument, mentioning: "payment.captured.currency") {
                _ = try await harness.client.recordPayment(.init(orderID: order.id, payment: .init(
                    method: .card, captured: CommonV1.Money(currency: "USD", minorUnits: owed), caseID: opened.id)), options: .mutating())
            }
            _ = try await harness.client.recordPayment(.init(orderID: order.id, payment: .init(method: .card, captured: eur(owed), caseID: opened.id)),
                                                       options: .mutating())
            let resolved = try await harness.resolve(inspected, .exchange)
            #expect(resolved.status == .resolved && resolved.settlement?.customerOwes?.amount?.minorUnits == 0)
        }
    }

    @Test func idempotentReplayAndKeyReuse() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()
            let request = OrderV1.OpenCaseRequest(orderID: order.id, customerID: order.customerID, kind: .returnRefund,
                                                  lines: [.init(orderLineID: order.lines[0].id, quantity: 1, reason: .defective,
                                                                requestedResolution: .refund)])
            let options = CallOptions.mutating(key: "open-1")
            let first = try await harness.client.openCase(request, options: options)
            let replay = try await harness.client.openCase(request, options: options)
            #expect(replay == first)
            #expect(try await harness.client.listCases(.init(orderID: order.id)).cases.count == 1)
            var other = request
            other.lines[0].quantity = 2
            await expectFailure(.failedPrecondition, reason: "IDEMPOTENCY_KEY_REUSED") {
                _ = try await harness.client.openCase(other, options: options)
            }
            await expectFailure(.invalidArgument, mentioning: "idempotency-key") {
                _ = try await harness.client.openCase(request)
            }
            // A replayed transition does not run twice (no second timeline entry, no version bump).
            let approve = OrderV1.ApproveCaseRequest(caseID: first.id, expectedVersion: 1)
            let approved = try await harness.client.approveCase(approve, options: .mutating(key: "approve-1"))
            #expect(try await harness.client.approveCase(approve, options: .mutating(key: "approve-1")) == approved)
            #expect(try await harness.client.getTimeline(.init(caseID: first.id)).entries.count == 2)
            // Order creation too.
            let orderRequest = OrderV1.CreateOrderRequest(order: OrderHarness.sampleOrder())
            let created = try await harness.client.createOrder(orderRequest, options: .mutating(key: "order-1"))
            #expect(try await harness.client.createOrder(orderRequest, options: .mutating(key: "order-1")) == created)
            #expect(try await harness.client.listOrders(.init(customerID: "cus_1")).orders.count == 2)
        }
    }

    @Test func versionConflictsAreAborted() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()
            let opened = try await harness.openCase(order)
            await expectFailure(.aborted, mentioning: "version 1", reason: "VERSION_CONFLICT") {
                _ = try await harness.client.approveCase(.init(caseID: opened.id, expectedVersion: 7), options: .mutating())
            }
            await expectFailure(.aborted, reason: "VERSION_CONFLICT") {
                _ = try await harness.client.recordPayment(.init(orderID: order.id, expectedVersion: 2,
                                                                 payment: .init(method: .card, captured: eur(1))), options: .mutating())
            }
            #expect(try await harness.client.getCase(.init(caseID: opened.id)).version == 1)
            #expect(try await harness.client.approveCase(.init(caseID: opened.id, expectedVersion: 1), options: .mutating()).version == 2)
        }
    }

    @Test func listCasesFiltersAndPages() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()
            var ids: [String] = []
            for _ in 0..<3 { ids.append(try await harness.openCase(order, units: [1]).id) }
            let refundOnly = try await harness.openCase(order, kind: .refundOnly, units: [0, 1])
            _ = try await harness.client.rejectCase(.init(caseID: ids[0], reason: .other), options: .mutating())
            var seen: [String] = []
            var token = ""
            repeat {
                let page = try await harness.client.listCases(.init(page: .init(pageSize: 3, pageToken: token), orderID: order.id))
                seen += page.cases.map(\.id)
                token = page.page?.nextPageToken ?? ""
            } while !token.isEmpty
            #expect(Set(seen) == Set(ids + [refundOnly.id]) && seen.count == 4)
            #expect(try await harness.client.listCases(.init(kinds: [.refundOnly])).cases.map(\.id) == [refundOnly.id])
            #expect(try await harness.client.listCases(.init(customerID: "cus_1", statuses: [.rejected])).cases.map(\.id) == [ids[0]])
            #expect(try await harness.client.listCases(.init(customerID: "nobody")).cases.isEmpty)
        }
    }
}
