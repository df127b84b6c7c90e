import AfterSaleTestSupport
import Foundation
@testable import OrderService
import RPCShared
import ServiceRuntime
import Testing

/// Refund records and their execution: the payment provider simulator, CustomerService.CreditWallet for store
/// credit, failures, retries with the same key and manual outcomes.
@Suite struct RefundExecutorTests {
    @Test func declinedRefundIsRetriedWithTheSameKeyAndPaysOnce() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()
            let resolved = try await harness.resolve(try await harness.inspectedCase(order))
            let refund = try #require(try await harness.client.listRefunds(.init(caseID: resolved.id)).refunds.first)
            #expect(refund.destination == .originalPayment)

            harness.provider.setBehaviour(.unavailable)
            #expect(await harness.components.refundExecutor.executePending() == 0)
            #expect(try await harness.client.listRefunds(.init(caseID: resolved.id)).refunds.first?.status == .pending)

            harness.provider.setBehaviour(.decline(reason: "card expired"))
            // The unavailable attempt put the refund in backoff; a fresh executor (as after a restart) tries at once.
            let executor = RefundExecutor(database: harness.database, provider: harness.provider, customer: nil,
                                          broadcaster: harness.components.broadcaster)
            #expect(await executor.executePending() == 1)
            let failed = try #require(try await harness.client.listRefunds(.init(caseID: resolved.id, statuses: [.failed])).refunds.first)
            #expect(failed.failureReason == "card expired" && failed.version == 2)
            await expectFailure(.failedPrecondition, reason: "REFUNDS_OUTSTANDING") {
                _ = try await harness.client.closeCase(.init(caseID: resolved.id), options: .mutating())
            }

            await expectFailure(.aborted, reason: "VERSION_CONFLICT") {
                _ = try await harness.client.retryRefund(.init(refundID: failed.id, expectedVersion: 1), options: .mutating())
            }
            let retried = try await harness.client.retryRefund(.init(refundID: failed.id, expectedVersion: 2, actor: agentActor),
                                                               options: .mutating())
            #expect(retried.status == .pending && retried.attempts == 2 && retried.idempotencyKey == refund.idempotencyKey)
            await expectFailure(.failedPrecondition, reason: "REFUND_NOT_FAILED") {
                _ = try await harness.client.retryRefund(.init(refundID: failed.id), options: .mutating())
            }
            harness.provider.setBehaviour(.succeed)
            #expect(await executor.executePending() == 1)
            let succeeded = try #require(try await harness.client.listRefunds(.init(caseID: resolved.id)).refunds.first)
            #expect(succeeded.status == .succeeded && succeeded.providerReference.hasPrefix("sim_re_"))
            #expect(harness.provider.payouts == [refund.idempotencyKey: try #require(refund.amount)])
            let card = try await harness.client.getOrder(.init(orderID: order.id)).payments[0]
            #expect(card.refunded == refund.amount)

            let events = try await harness.client.getTimeline(.init(caseID: resolved.id)).entries.map(\.eventType).suffix(4)
            #expect(Array(events) == [.refundCreated, .refundFailed, .refundRetried, .refundSucceeded])
            let types = try await harness.outboxTypes().suffix(4)
            #expect(Array(types) == [.refundCreated, .refundFailed, .caseUpdated, .refundSucceeded])
            #expect(try await harness.client.closeCase(.init(caseID: resolved.id), options: .mutating()).status == .closed)
        }
    }

    @Test func storeCreditGoesThroughCreditWalletWithTheRefundKey() async throws {
        let recorder = PeerRecorder<CustomerV1.CreditWalletRequest>()
        let customer = StubServer.customer(recorder)
        let client = try fastClient(customer.address)
        defer { Task { await client.close() } }
        try await withHarness(customer: CustomerV1.CustomerService.Client(transport: client)) { harness in
            let order = try await harness.createOrder()
            let inspected = try await harness.inspectedCase(order)
            let expiry = CommonV1.Timestamp(epochSeconds: 2_000_000_000)
            _ = try await harness.client.resolveCase(.init(caseID: inspected.id, resolution: .storeCredit, storeCreditExpiresAt: expiry),
                                                     options: .mutating())
            let refund = try #require(try await harness.client.listRefunds(.init(caseID: inspected.id)).refunds.first)
            #expect(refund.destination == .storeCredit && refund.storeCreditExpiresAt == expiry)

            // CustomerService down: the refund waits.
            #expect(await harness.components.refundExecutor.executePending() == 0)
            #expect(try await harness.client.listRefunds(.init(caseID: inspected.id)).refunds.first?.status == .pending)

            try await customer.start()
            defer { Task { await customer.stop() } }
            let executor = RefundExecutor(database: harness.database, provider: harness.provider,
                                          customer: CustomerV1.CustomerService.Client(transport: client),
                                          broadcaster: harness.components.broadcaster)
            var finished = 0
            let deadline = ContinuousClock.now + .seconds(10)
            while finished == 0 && ContinuousClock.now < deadline {
                finished = await executor.executePending()
                if finished == 0 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(finished == 1)
            let sent = try #require(recorder.received.first)
            #expect(sent.key == "refund:\(refund.id)")
            #expect(sent.request.customerID == order.customerID && sent.request.amount == refund.amount)
            #expect(sent.request.expiresAt == expiry && sent.request.reference == refund.id)
            let done = try #require(try await harness.client.listRefunds(.init(caseID: inspected.id)).refunds.first)
            #expect(done.status == .succeeded && done.providerReference == "we-refund:\(refund.id)")
            #expect(harness.provider.payouts.isEmpty, "store credit never touches the payment provider")
        }
    }

    @Test func walletRefusalFailsTheRefund() async throws {
        let recorder = PeerRecorder<CustomerV1.CreditWalletRequest>()
        recorder.fail(with: RPCError.notFound("customer", "cus_1"))
        let customer = StubServer.customer(recorder)
        try await customer.start()
        let client = try fastClient(customer.address)
        try await withHarness(customer: CustomerV1.CustomerService.Client(transport: client)) { harness in
            let order = try await harness.createOrder()
            _ = try await harness.resolve(try await harness.inspectedCase(order), .storeCredit)
            #expect(await harness.components.refundExecutor.executePending() == 1)
            let refund = try #require(try await harness.client.listRefunds(.init(orderID: order.id)).refunds.first)
            #expect(refund.status == .failed && refund.failureReason.contains("NOT_FOUND"))
        }
        await client.close()
        await customer.stop()
    }

    @Test func recordRefundOutcomeByHand() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()
            let resolved = try await harness.resolve(try await harness.inspectedCase(order))
            let refund = try #require(try await harness.client.listRefunds(.init(caseID: resolved.id)).refunds.first)
            let done = try await harness.client.recordRefundOutcome(.init(refundID: refund.id, expectedVersion: 1, succeeded: true,
                                                                          providerReference: "psp-9"), options: .mutating())
            #expect(done.status == .succeeded && done.providerReference == "psp-9" && done.version == 2)
            // Repeating the outcome is a no-op; contradicting it is refused.
            let again = try await harness.client.recordRefundOutcome(.init(refundID: refund.id, succeeded: true, providerReference: "psp-9"),
                                                                     options: .mutating())
            #expect(again == done)
            await expectFailure(.failedPrecondition, reason: "REFUND_NOT_PENDING") {
                _ = try await harness.client.recordRefundOutcome(.init(refundID: refund.id, succeeded: false, failureReason: "late"),
                                                                 options: .mutating())
            }
            #expect(try await harness.client.getOrder(.init(orderID: order.id)).payments[0].refunded == refund.amount)
            // The executor finds nothing left to do and the provider is never asked.
            #expect(await harness.components.refundExecutor.executePending() == 0)
            #expect(harness.provider.payouts.isEmpty)
        }
    }

    @Test func pendingRefundsReserveTheRefundableBalance() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()
            let first = try await harness.resolve(try await harness.inspectedCase(order, units: 2))
            let quote = try await harness.client.quoteSettlement(.init(caseID: try await harness.openCase(order, units: [0, 1]).id))
            let captured: Int64 = 18_000
            let pending = first.settlement?.refundTotal?.amount?.minorUnits ?? 0
            #expect(quote.refundableCap?.amount?.minorUnits == captured - pending,
                    "a refund not yet paid still counts against the cap of the next case")
        }
    }
}
