@testable import Gateway
import AfterSaleTestSupport
import Foundation
import GRDB
import Logging
import RPCShared
import ServiceRuntime
import Testing

/// The saga machinery against the real services: undo before the pivot, pending steps after it finished by the
/// reconciler, and what a retry of the same key sees meanwhile.
@Suite(.serialized) struct SagaTests {
    static func context(_ method: String, key: String) -> ServerContext {
        ServerContext(method: GatewayV1.AfterSaleGateway.Method.all.first { $0.method == method }!,
                      metadata: ["idempotency-key": key], deadline: .now + .seconds(3),
                      requestID: "test", logger: Logger(label: "test"))
    }

    static func state(_ harness: GatewayHarness, method: String) async throws -> [String] {
        try await harness.sagas.database.read { db in
            try String.fetchAll(db, sql: "SELECT state FROM saga WHERE method = ? ORDER BY created_at", arguments: [method])
        }
    }

    /// An exchange case opened straight in OrderService (no risk assessment, so it waits for an agent).
    static func exchangeCase(_ harness: GatewayHarness, sku: String) async throws -> OrderV1.Case {
        let order = try await harness.createDeliveredOrder()
        return try await harness.downstream.order.openCase(.init(
            orderID: order.id, customerID: order.customerID, kind: .exchange,
            lines: [.init(orderLineID: order.lines[0].id, quantity: 1, reason: .sizeFit, requestedResolution: .exchange,
                          exchangeSKU: sku, exchangeUnitPrice: .init(currency: "EUR", minorUnits: 1999))]), options: .mutating())
    }

    static func available(_ harness: GatewayHarness, _ sku: String) async throws -> Int32 {
        try await harness.downstream.product.getStock(.init(sku: sku, warehouseID: "wh_berlin"), options: .read).totalAvailable
    }

    @Test func aRefusedApprovalReleasesTheStockItReserved() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let opened = try await Self.exchangeCase(harness, sku: "TEE-ORG-WHT-M")
            let before = try await Self.available(harness, "TEE-ORG-WHT-M")
            let agent = harness.client(role: .agent, subject: "alice")
            do {
                _ = try await agent.approveCase(.init(caseID: opened.id, expectedVersion: opened.version + 5), options: .mutating())
                Issue.record("approved at a stale version")
            } catch let error as RPCError {
                #expect(error.code == .aborted, "\(error)")
            }
            #expect(try await Self.available(harness, "TEE-ORG-WHT-M") == before, "the reservation was undone")
            #expect(try await Self.state(harness, method: "ApproveCase") == ["failed"])
            let undone = try await harness.sagas.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM saga_undo WHERE done = 1") }
            #expect(undone == 1)
            // A new approval at the current version goes through and reserves once.
            let approved = try await agent.approveCase(.init(caseID: opened.id, expectedVersion: opened.version), options: .mutating())
            #expect(approved.afterSaleCase?.status == .awaitingShipment)
            #expect(try await Self.available(harness, "TEE-ORG-WHT-M") == before - 1)
        }
    }

    @Test func aStepAfterThePivotIsFinishedByTheReconciler() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder()
            let opened = try await harness.openCaseDirectly(order)
            // The same gateway database, but LogisticsService unreachable.
            var cut = harness.downstream
            cut.logistics = .init(transport: try RPCClient("unix:///tmp/aftersale-nowhere-\(UUID().uuidString.prefix(8)).sock"))
            let degraded = GatewayHandler(downstream: cut, sagas: harness.sagas)
            let key = "approve-\(UUID().uuidString)"
            let request = GatewayV1.ApproveCaseRequest(caseID: opened.id, expectedVersion: opened.version)
            let view = try await degraded.approveCase(request, context: Self.context("ApproveCase", key: key))
            #expect(view.afterSaleCase?.status == .approved, "approved; the label is still to come")
            #expect(view.afterSaleCase?.returnShipmentID.isEmpty == true)
            #expect(try await Self.state(harness, method: "ApproveCase") == ["pending"])

            // Nothing is due before its backoff; then the reconciler (with LogisticsService back) books the label.
            #expect(try await harness.handler.reconciler.reconcileDue() == 0)
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await harness.handler.reconciler.reconcileDue() == 1)
            #expect(try await Self.state(harness, method: "ApproveCase") == ["completed"])
            let after = try await harness.service.getCase(.init(caseID: opened.id), options: .read)
            #expect(after.afterSaleCase?.status == .awaitingShipment)
            #expect(after.shipments.count == 1)

            // A client retry of the same key after that answers with the case and books nothing more.
            let retried = try await harness.handler.approveCase(request, context: Self.context("ApproveCase", key: key))
            #expect(retried.afterSaleCase?.returnShipmentID == after.afterSaleCase?.returnShipmentID)
            #expect(try await harness.downstream.logistics.listShipments(.init(caseID: opened.id), options: .read).shipments.count == 1)
        }
    }

    @Test func aServiceDownBeforeThePivotAnswersUnavailableAndChangesNothing() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let opened = try await Self.exchangeCase(harness, sku: "TEE-ORG-WHT-S")
            var cut = harness.downstream
            cut.product = .init(transport: try RPCClient("unix:///tmp/aftersale-nowhere-\(UUID().uuidString.prefix(8)).sock"))
            let degraded = GatewayHandler(downstream: cut, sagas: harness.sagas)
            let key = "approve-\(UUID().uuidString)"
            let request = GatewayV1.ApproveCaseRequest(caseID: opened.id, expectedVersion: opened.version)
            do {
                _ = try await degraded.approveCase(request, context: Self.context("ApproveCase", key: key))
                Issue.record("approved without ProductService")
            } catch let error as RPCError {
                #expect(error.code == .unavailable)
                #expect(error.errorDetails?.reason == "DEPENDENCY_UNAVAILABLE")
            }
            let unchanged = try await harness.downstream.order.getCase(.init(caseID: opened.id), options: .read)
            #expect(unchanged.status == .requested && unchanged.version == opened.version)
            // The reservation's outcome is unknown (the call never got an answer) and its undo needs ProductService
            // too: the saga waits in `compensating`.
            #expect(try await Self.state(harness, method: "ApproveCase") == ["compensating"])
            // The retry, with ProductService back, first finishes the undo, then goes through once.
            let view = try await harness.handler.approveCase(request, context: Self.context("ApproveCase", key: key))
            #expect(view.afterSaleCase?.status == .awaitingShipment)
            let stock = try await harness.downstream.product.getStock(.init(sku: "TEE-ORG-WHT-S", warehouseID: "wh_berlin"), options: .read)
            #expect(stock.levels.first?.reserved == 1, "one reservation held, the in-doubt one released")
        }
    }
}

extension SagaTests {
    @Test func finishedSagasArePurgedAfterTheirRetention() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder()
            let opened = try await harness.openCaseDirectly(order)
            _ = try await harness.service.rejectCase(.init(caseID: opened.id, reason: .windowPassed), options: .mutating())
            let reconciler = harness.handler.reconciler
            #expect(try await reconciler.purgeFinished() == 0, "a fresh saga is kept")
            try await harness.sagas.database.write { db in
                try db.execute(sql: "UPDATE saga SET updated_at = updated_at - ?", arguments: [Int64(8 * 86_400) * 1_000_000])
            }
            #expect(try await reconciler.purgeFinished() == 1)
            let left = try await harness.sagas.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM saga_step") }
            #expect(left == 0)
        }
    }
}
