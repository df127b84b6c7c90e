import Foundation
import GRDB
import RPCShared
import ServiceRuntime

extension OrderHandler {
    public func listRefunds(_ request: OrderV1.ListRefundsRequest, context: ServerContext) async throws -> OrderV1.ListRefundsResponse {
        var check = FieldValidator()
        check.optionalIdentifier(request.caseID, "case_id")
        check.optionalIdentifier(request.orderID, "order_id")
        check.count(request.statuses, "statuses", max: 10)
        for (index, status) in request.statuses.enumerated() { check.known(status, "statuses[\(index)]") }
        OrderValidation.page(request.page, &check)
        try check.validate()
        let size = try PageCursor.pageSize(request.page)
        let query = "refunds|\(request.caseID)|\(request.orderID)|\(request.statuses.map(\.rawValue).sorted())"
        let cursor = try PageCursor.decode(request.page, query: query)
        let rows = try await database.read { db in
            try OrderStore.listRefunds(db, caseID: request.caseID, orderID: request.orderID, statuses: request.statuses,
                                       after: cursor, limit: size + 1)
        }
        let page = PageCursor.page(rows, size: size, query: query) { PageCursor(key: "\($0.createdAt?.epochMicros ?? 0)", id: $0.id) }
        return OrderV1.ListRefundsResponse(refunds: page.rows, page: page.page)
    }

    public func retryRefund(_ request: OrderV1.RetryRefundRequest, context: ServerContext) async throws -> OrderV1.Refund {
        var check = FieldValidator()
        check.identifier(request.refundID, "refund_id")
        check.nonNegative(request.expectedVersion, "expected_version")
        OrderValidation.actor(request.actor, &check)
        try check.validate()
        let refund = try await mutate(request, context: context) { db, now in
            let before = try OrderStore.refund(db, request.refundID)
            try RPCError.checkVersion("refund", before.id, expected: request.expectedVersion, current: before.version)
            guard before.status == .failed else {
                throw RPCError.failedPrecondition("REFUND_NOT_FAILED",
                                                  "refund \(before.id) is \(before.status.label); only a FAILED refund can be retried",
                                                  resource: "refund/\(before.id)")
            }
            var refund = before
            refund.status = .pending
            refund.attempts += 1
            refund.version += 1
            refund.updatedAt = CommonV1.Timestamp(now)
            try OrderStore.updateRefund(db, refund)
            try CaseJournal.recordRefund(db, refund: refund, before: before, afterSaleCase: try OrderStore.afterSaleCase(db, refund.caseID),
                                         event: .refundRetried, actor: request.actor,
                                         message: Self.refundSentence(refund, "retried (attempt \(refund.attempts), same idempotency key)"),
                                         at: now)
            return refund
        }
        broadcaster.notify([refund.caseID])
        return refund
    }

    public func recordRefundOutcome(_ request: OrderV1.RecordRefundOutcomeRequest, context: ServerContext) async throws -> OrderV1.Refund {
        var check = FieldValidator()
        check.identifier(request.refundID, "refund_id")
        check.nonNegative(request.expectedVersion, "expected_version")
        check.name(request.providerReference, "provider_reference")
        check.text(request.failureReason, "failure_reason")
        if request.succeeded && !request.failureReason.isEmpty { check.fail("failure_reason", "must be empty when succeeded") }
        try check.validate()
        let refund = try await mutate(request, context: context) { db, now in
            try Self.recordOutcome(db, refundID: request.refundID, expectedVersion: request.expectedVersion,
                                   succeeded: request.succeeded, providerReference: request.providerReference,
                                   failureReason: request.failureReason, actor: nil, now: now)
        }
        broadcaster.notify([refund.caseID])
        return refund
    }

    /// PENDING → SUCCEEDED (the amount joins `Payment.refunded`) or FAILED (with the reason). Repeating the outcome
    /// a refund already has is a no-op; any other change of a finished refund is FAILED_PRECONDITION.
    static func recordOutcome(_ db: Database, refundID: String, expectedVersion: Int64, succeeded: Bool,
                              providerReference: String, failureReason: String, actor: CommonV1.Actor?,
                              now: Date) throws -> OrderV1.Refund {
        let before = try OrderStore.refund(db, refundID)
        try RPCError.checkVersion("refund", before.id, expected: expectedVersion, current: before.version)
        let outcome: OrderV1.RefundStatus = succeeded ? .succeeded : .failed
        if before.status == outcome { return before }
        guard before.status == .pending else {
            throw RPCError.failedPrecondition("REFUND_NOT_PENDING",
                                              "refund \(before.id) is \(before.status.label); only a PENDING refund takes an outcome",
                                              resource: "refund/\(before.id)")
        }
        var refund = before
        refund.status = outcome
        refund.version += 1
        refund.updatedAt = CommonV1.Timestamp(now)
        if succeeded {
            refund.providerReference = providerReference
            var order = try OrderStore.order(db, refund.orderID)
            guard let index = order.payments.firstIndex(where: { $0.id == refund.paymentID }), let amount = refund.amount else {
                throw RPCError(.internal, "refund \(refund.id) points at payment \(refund.paymentID), which order \(refund.orderID) does not have")
            }
            let refunded = order.payments[index].refunded ?? CommonV1.Money(currency: amount.currency, minorUnits: 0)
            order.payments[index].refunded = try MoneyMath.add(refunded, amount, field: "amount")
            _ = try saveOrder(db, &order, now: now)
        } else {
            refund.failureReason = failureReason.isEmpty ? "the provider gave no reason" : failureReason
        }
        try OrderStore.updateRefund(db, refund)
        let what = succeeded ? "succeeded" : "failed: \(refund.failureReason)"
        try CaseJournal.recordRefund(db, refund: refund, before: before, afterSaleCase: try OrderStore.afterSaleCase(db, refund.caseID),
                                     event: succeeded ? .refundSucceeded : .refundFailed,
                                     actor: actor ?? CommonV1.Actor(kind: .service, id: "payment-provider"),
                                     message: refundSentence(refund, what), at: now)
        return refund
    }

    /// The order as a settlement must see it: refunds already created but not yet SUCCEEDED (pending or failed,
    /// which may be retried) count as refunded, so two cases resolved before either refund lands cannot both
    /// draw on the same refundable balance.
    static func orderForSettlement(_ db: Database, _ orderID: String) throws -> OrderV1.Order {
        var order = try OrderStore.orderWithLedger(db, orderID)
        let reserved = try OrderStore.listRefunds(db, caseID: "", orderID: orderID, statuses: [.pending, .failed],
                                                  after: nil, limit: 10_000)
        for refund in reserved {
            guard let index = order.payments.firstIndex(where: { $0.id == refund.paymentID }), let amount = refund.amount else { continue }
            let refunded = order.payments[index].refunded ?? CommonV1.Money(currency: amount.currency, minorUnits: 0)
            order.payments[index].refunded = try MoneyMath.add(refunded, amount, field: "amount")
        }
        return order
    }
}
