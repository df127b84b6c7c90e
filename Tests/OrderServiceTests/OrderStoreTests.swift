import AfterSaleTestSupport
import Foundation
import GRDB
@testable import OrderService
import RPCShared
import ServiceRuntime
import Testing

/// Storage on real SQLite files: everything acknowledged survives closing and reopening the database.
@Suite struct OrderStoreTests {
    @Test func acknowledgedStateSurvivesARestart() async throws {
        let directory = try TemporaryDirectory("order-restart")
        defer { directory.remove() }
        var harness = try await OrderHarness.start(directory: directory)
        let order = try await harness.createOrder()
        let inspected = try await harness.inspectedCase(order, units: 2)
        let resolveRequest = OrderV1.ResolveCaseRequest(caseID: inspected.id, resolution: .refund)
        let resolved = try await harness.client.resolveCase(resolveRequest, options: .mutating(key: "resolve-before-restart"))
        let timeline = try await harness.client.getTimeline(.init(caseID: inspected.id)).entries
        let refunds = try await harness.client.listRefunds(.init(caseID: inspected.id)).refunds
        let outbox = try await harness.outboxTypes()
        await harness.stop(keepFiles: true)

        harness = try await OrderHarness.start(directory: directory)
        #expect(try await harness.client.getOrder(.init(orderID: order.id)).lines[0].returnedQuantity == 2)
        #expect(try await harness.client.getCase(.init(caseID: inspected.id)) == resolved)
        #expect(try await harness.client.getTimeline(.init(caseID: inspected.id)).entries == timeline)
        #expect(try await harness.client.listRefunds(.init(caseID: inspected.id)).refunds == refunds)
        #expect(try await harness.outboxTypes() == outbox)
        // The idempotency record survived too: the retry of the acknowledged call replays it.
        #expect(try await harness.client.resolveCase(resolveRequest, options: .mutating(key: "resolve-before-restart")) == resolved)
        // Work queued before the restart is still there: PENDING refunds and the sales for ProductService.
        #expect(try await harness.database.read { db in try OrderStore.pendingRefunds(db, limit: 10).count } == refunds.count)
        #expect(try await harness.database.read { db in try OrderStore.pendingCallCount(db, kind: SaleRecorder.kind) } == 2)
        #expect(await harness.components.refundExecutor.executePending() == refunds.count)
        await harness.stop(keepFiles: true)
    }

    @Test func timelineSequencesArePerCaseAndSnapshotsAreKept() async throws {
        let directory = try TemporaryDirectory("order-store")
        defer { directory.remove() }
        let database = try ServiceDatabase(path: directory.file("order.sqlite"), migrations: OrderStore.migrations)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let order = OrderV1.Order(id: "o1", customerID: "c", currency: "EUR", placedAt: .init(now), version: 1)
        try await database.write { db in
            try OrderStore.insertOrder(db, order)
            for caseID in ["k1", "k2"] {
                var afterSaleCase = OrderV1.Case(id: caseID, orderID: "o1", customerID: "c", kind: .returnRefund, status: .requested,
                                                 version: 1, createdAt: .init(now))
                try OrderStore.insertCase(db, afterSaleCase)
                try CaseJournal.record(db, before: nil, after: afterSaleCase, event: .opened, actor: nil, message: "opened", at: now)
                let before = afterSaleCase
                afterSaleCase.status = .approved
                afterSaleCase.version = 2
                try OrderStore.updateCase(db, afterSaleCase)
                try CaseJournal.record(db, before: before, after: afterSaleCase, event: .approved, actor: nil, message: "ok", at: now)
            }
        }
        let events = try await database.read { db in try OrderStore.timeline(db, caseID: "k2", after: 0, limit: 10) }
        #expect(events.map { $0.entry?.sequence ?? 0 } == [1, 2])
        #expect(events.map { $0.snapshot?.status } == [.requested, .approved])
        #expect(events[1].entry?.before == #"{"status":"CASE_STATUS_REQUESTED"}"#)
        #expect(events[1].entry?.after == #"{"status":"CASE_STATUS_APPROVED"}"#)
        await expectFailure(.alreadyExists) { try await database.write { db in try OrderStore.insertOrder(db, order) } }
    }
}
