@testable import Gateway
import AfterSaleTestSupport
import Foundation
import RPCShared
import ServiceRuntime
import Testing

/// Every case kind from opening to resolution through the gateway, over the five real services — in this process
/// and as six real processes — with each mutating call sent twice under the same idempotency key: the second
/// answers like the first and repeats no side effect.
@Suite(.serialized) struct WorkflowTests {
    /// The same workflow against the in-process harness and against six `aftersale serve` processes.
    enum SystemKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case inProcess, processes
        var testDescription: String { rawValue }
    }

    static func withSystem(_ kind: SystemKind, _ body: (any GatewaySystem) async throws -> Void) async throws {
        switch kind {
        case .inProcess: try await withGatewayHarness { try await body($0) }
        case .processes: try await withProcessSystem { try await body($0) }
        }
    }

    /// Sends `call` twice with one key; both must succeed with the same case.
    static func twice(_ call: (CallOptions) async throws -> GatewayV1.CaseView) async throws -> GatewayV1.CaseView {
        let options = CallOptions.mutating()
        let first = try await call(options)
        let second = try await call(options)
        #expect(second.afterSaleCase?.id == first.afterSaleCase?.id)
        #expect(second.afterSaleCase?.status == first.afterSaleCase?.status)
        return second
    }

    /// Expects `body` to fail with `code`.
    static func expectStatus(_ code: StatusCode, sourceLocation: SourceLocation = #_sourceLocation,
                             _ body: () async throws -> some Sendable) async {
        do {
            _ = try await body()
            Issue.record("succeeded; expected \(code)", sourceLocation: sourceLocation)
        } catch let error as RPCError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(error); expected \(code)", sourceLocation: sourceLocation)
        }
    }

    static func version(_ view: GatewayV1.CaseView) -> Int64 { view.afterSaleCase?.version ?? 0 }

    /// Opens a case as the customer and, unless auto-approval already did it, approves it as an agent.
    static func openAndApprove(_ harness: any GatewaySystem, _ request: GatewayV1.OpenCaseRequest) async throws -> GatewayV1.CaseView {
        let customer = harness.client(role: .customer, subject: request.customerID)
        var view = try await twice { try await customer.openCase(request, options: $0) }
        if view.afterSaleCase?.status == .requested {
            let agent = harness.client(role: .agent, subject: "alice")
            let id = view.afterSaleCase?.id ?? ""
            view = try await twice { try await agent.approveCase(.init(caseID: id, expectedVersion: version(view)), options: $0) }
        }
        return view
    }

    static func receiveAndInspect(_ harness: any GatewaySystem, _ view: GatewayV1.CaseView,
                                  disposition: OrderV1.Disposition) async throws -> GatewayV1.CaseView {
        let warehouse = harness.client(role: .warehouse, subject: "wh-berlin-1")
        let afterSaleCase = try #require(view.afterSaleCase)
        let lines = afterSaleCase.lines.map { OrderV1.LineQuantity(caseLineID: $0.id, quantity: $0.quantities?.approved ?? 0) }
        let received = try await twice {
            try await warehouse.recordReceipt(.init(caseID: afterSaleCase.id, expectedVersion: version(view), lines: lines), options: $0)
        }
        #expect(received.afterSaleCase?.status == .received)
        let inspections = afterSaleCase.lines.map {
            OrderV1.LineInspection(caseLineID: $0.id, acceptedQuantity: $0.quantities?.approved ?? 0, disposition: disposition,
                                   findings: [.asDescribed])
        }
        let inspected = try await twice {
            try await warehouse.inspectCase(.init(caseID: afterSaleCase.id, expectedVersion: version(received), lines: inspections), options: $0)
        }
        #expect(inspected.afterSaleCase?.status == .inspected)
        return inspected
    }

    static func available(_ harness: any GatewaySystem, _ sku: String) async throws -> Int32 {
        try await harness.downstream.product.getStock(.init(sku: sku, warehouseID: "wh_berlin"), options: .read).totalAvailable
    }

    static func shipments(_ harness: any GatewaySystem, caseID: String) async throws -> [LogisticsV1.Shipment] {
        try await harness.downstream.logistics.listShipments(.init(caseID: caseID), options: .read).shipments
    }

    @Test(arguments: SystemKind.allCases)
    func returnForARefund(_ kind: SystemKind) async throws {
        try await Self.withSystem(kind) { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder()
            let stockBefore = try await Self.available(harness, "TEE-ORG-BLU-M")
            let approved = try await Self.openAndApprove(harness, .init(
                orderID: order.id, customerID: order.customerID, kind: .returnRefund,
                lines: [.init(orderLineID: order.lines[0].id, quantity: 1, reason: .sizeFit, requestedResolution: .refund)],
                returnMethod: .dropOff))
            let afterSaleCase = try #require(approved.afterSaleCase)
            #expect(afterSaleCase.status == .awaitingShipment)
            #expect(!afterSaleCase.returnShipmentID.isEmpty)
            #expect(try await Self.shipments(harness, caseID: afterSaleCase.id).count == 1)
            #expect(approved.shipments.count == 1 && approved.shipments.first?.kind == .reverse)

            let inspected = try await Self.receiveAndInspect(harness, approved, disposition: .restock)
            #expect(try await Self.available(harness, "TEE-ORG-BLU-M") == stockBefore + 1, "restocked once, not twice")

            let agent = harness.client(role: .agent, subject: "alice")
            let resolved = try await Self.twice {
                try await agent.resolveCase(.init(caseID: afterSaleCase.id, expectedVersion: Self.version(inspected), resolution: .refund), options: $0)
            }
            #expect(resolved.afterSaleCase?.status == .resolved)
            let refunds = try await harness.downstream.order.listRefunds(.init(caseID: afterSaleCase.id), options: .read).refunds
            #expect(refunds.count == 1, "one refund for one resolution, however often it is retried")
            #expect(refunds.first?.amount?.minorUnits ?? 0 > 0)
            let cases = try await harness.service.listCases(.init(orderID: order.id), options: .read).cases
            #expect(cases.count == 1, "a retried OpenCase opens no second case")
        }
    }

    @Test(arguments: SystemKind.allCases)
    func exchangeToADearerItemWaitsForThePaymentThenShips(_ kind: SystemKind) async throws {
        try await Self.withSystem(kind) { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder()
            let dressBefore = try await Self.available(harness, "DRESS-LIN-SND-M")
            let approved = try await Self.openAndApprove(harness, .init(
                orderID: order.id, customerID: order.customerID, kind: .exchange,
                lines: [.init(orderLineID: order.lines[0].id, quantity: 1, reason: .sizeFit, requestedResolution: .exchange,
                              exchangeSKU: "DRESS-LIN-SND-M")]))
            let afterSaleCase = try #require(approved.afterSaleCase)
            #expect(afterSaleCase.lines.first?.exchangeUnitPrice?.minorUnits == 7900, "price filled from the catalogue")
            #expect(!afterSaleCase.replacementReservationID.isEmpty)
            #expect(try await Self.available(harness, "DRESS-LIN-SND-M") == dressBefore - 1, "one unit held, not two")

            let inspected = try await Self.receiveAndInspect(harness, approved, disposition: .restock)
            let agent = harness.client(role: .agent, subject: "alice")
            do {
                _ = try await agent.resolveCase(.init(caseID: afterSaleCase.id, expectedVersion: Self.version(inspected), resolution: .exchange), options: .mutating())
                Issue.record("resolved although the customer owes the difference")
            } catch let error as RPCError {
                #expect(error.code == .failedPrecondition)
                #expect(error.errorDetails?.reason == "PAYMENT_REQUIRED")
            }
            let quote = try await agent.quoteSettlement(.init(caseID: afterSaleCase.id, resolution: .exchange), options: .read)
            let owed = try #require(quote.customerOwes?.amount)
            #expect(owed.minorUnits > 0)
            let current = try await harness.downstream.order.getOrder(.init(orderID: order.id), options: .read)
            _ = try await harness.downstream.order.recordPayment(.init(
                orderID: order.id, expectedVersion: current.version,
                payment: .init(method: .card, providerReference: "sim_ch_balance", captured: owed, caseID: afterSaleCase.id)),
                options: .mutating())
            let resolved = try await Self.twice {
                try await agent.resolveCase(.init(caseID: afterSaleCase.id, expectedVersion: 0, resolution: .exchange), options: $0)
            }
            #expect(resolved.afterSaleCase?.status == .resolved)
            #expect(!(resolved.afterSaleCase?.replacementShipmentID.isEmpty ?? true))
            let shipments = try await Self.shipments(harness, caseID: afterSaleCase.id)
            #expect(shipments.filter { $0.kind == .replacement }.count == 1)
            #expect(shipments.first { $0.kind == .replacement }?.items.first?.sku == "DRESS-LIN-SND-M")
            let stock = try await harness.downstream.product.getStock(.init(sku: "DRESS-LIN-SND-M", warehouseID: "wh_berlin"), options: .read)
            #expect(stock.levels.first?.reserved == 0, "the reservation was committed")
        }
    }

    @Test(arguments: SystemKind.allCases)
    func warrantyRepairSendsTheItemBack(_ kind: SystemKind) async throws {
        try await Self.withSystem(kind) { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder(lines: [("ASTER-X-128-EU", 1)], deliveredDaysAgo: 200)
            let approved = try await Self.openAndApprove(harness, .init(
                orderID: order.id, customerID: order.customerID, kind: .repairWarranty,
                lines: [.init(orderLineID: order.lines[0].id, quantity: 1, reason: .defective, reasonText: "screen flickers",
                              requestedResolution: .repair, evidenceURLs: ["https://example.com/flicker.mp4"])]))
            let afterSaleCase = try #require(approved.afterSaleCase)
            #expect(afterSaleCase.status == .awaitingShipment)
            let inspected = try await Self.receiveAndInspect(harness, approved, disposition: .returnToCustomer)
            let agent = harness.client(role: .agent, subject: "alice")
            let resolved = try await Self.twice {
                try await agent.resolveCase(.init(caseID: afterSaleCase.id, expectedVersion: Self.version(inspected), resolution: .repair), options: $0)
            }
            #expect(resolved.afterSaleCase?.status == .resolved)
            let shipments = try await Self.shipments(harness, caseID: afterSaleCase.id)
            #expect(shipments.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.reverse, .replacement])
        }
    }

    @Test(arguments: SystemKind.allCases)
    func refundOnlyBooksNoShipment(_ kind: SystemKind) async throws {
        try await Self.withSystem(kind) { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder()
            let approved = try await Self.openAndApprove(harness, .init(
                orderID: order.id, customerID: order.customerID, kind: .refundOnly,
                lines: [.init(orderLineID: order.lines[1].id, quantity: 1, reason: .damagedInTransit, requestedResolution: .refund)]))
            let afterSaleCase = try #require(approved.afterSaleCase)
            #expect(afterSaleCase.status == .approved)
            #expect(try await Self.shipments(harness, caseID: afterSaleCase.id).isEmpty)
            let resolved = try await Self.twice {
                try await harness.client(role: .agent, subject: "alice").resolveCase(
                    .init(caseID: afterSaleCase.id, expectedVersion: Self.version(approved), resolution: .refund), options: $0)
            }
            #expect(resolved.afterSaleCase?.status == .resolved)
        }
    }

    @Test(arguments: SystemKind.allCases)
    func cancellingReleasesTheReservationAndTheLabel(_ kind: SystemKind) async throws {
        try await Self.withSystem(kind) { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder()
            let before = try await Self.available(harness, "TEE-ORG-BLU-L")
            let approved = try await Self.openAndApprove(harness, .init(
                orderID: order.id, customerID: order.customerID, kind: .exchange,
                lines: [.init(orderLineID: order.lines[0].id, quantity: 1, reason: .sizeFit, requestedResolution: .exchange,
                              exchangeSKU: "TEE-ORG-BLU-L")]))
            let afterSaleCase = try #require(approved.afterSaleCase)
            #expect(try await Self.available(harness, "TEE-ORG-BLU-L") == before - 1)
            let customer = harness.client(role: .customer, subject: order.customerID)
            let canceled = try await Self.twice {
                try await customer.cancelCase(.init(caseID: afterSaleCase.id, expectedVersion: Self.version(approved), reason: "found my size"), options: $0)
            }
            #expect(canceled.afterSaleCase?.status == .canceled)
            #expect(try await Self.available(harness, "TEE-ORG-BLU-L") == before)
            let label = try await Self.shipments(harness, caseID: afterSaleCase.id).first
            #expect(label?.status == .canceled)
        }
    }

    @Test func ineligibleLinesAreRefusedLineByLine() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder(deliveredDaysAgo: 90)
            do {
                _ = try await harness.client(role: .customer, subject: order.customerID).openCase(.init(
                    orderID: order.id, customerID: order.customerID, kind: .returnRefund,
                    lines: [.init(orderLineID: order.lines[0].id, quantity: 1, reason: .changedMind, requestedResolution: .refund)]),
                    options: .mutating())
                Issue.record("a return 90 days after delivery was accepted")
            } catch let error as RPCError {
                #expect(error.code == .failedPrecondition)
                #expect(error.errorDetails?.reason == "NOT_ELIGIBLE")
                #expect(error.errorDetails?.fieldViolations.first?.field == "lines[0]")
            }
            #expect(try await harness.service.listCases(.init(orderID: order.id), options: .read).cases.isEmpty)
        }
    }

    @Test func rolesAndOwnershipAreEnforcedOnWorkflows() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder()
            let open = GatewayV1.OpenCaseRequest(
                orderID: order.id, customerID: order.customerID, kind: .returnRefund,
                lines: [.init(orderLineID: order.lines[0].id, quantity: 1, reason: .sizeFit, requestedResolution: .refund)])
            let stranger = harness.client(role: .customer, subject: "cus_stranger")
            await Self.expectStatus(.permissionDenied) { try await stranger.openCase(open, options: .mutating()) }
            await Self.expectStatus(.permissionDenied) {
                try await harness.client(role: .warehouse, subject: "wh").openCase(open, options: .mutating())
            }
            await Self.expectStatus(.invalidArgument) {
                try await harness.client(role: .customer, subject: order.customerID).openCase(open, options: .read)
            }
            let view = try await harness.client(role: .customer, subject: order.customerID).openCase(open, options: .mutating())
            let id = try #require(view.afterSaleCase?.id)
            await Self.expectStatus(.permissionDenied) {
                try await harness.client(role: .customer, subject: order.customerID).approveCase(.init(caseID: id), options: .mutating())
            }
            await Self.expectStatus(.permissionDenied) {
                try await stranger.cancelCase(.init(caseID: id), options: .mutating())
            }
            let after = try await harness.service.getCase(.init(caseID: id), options: .read)
            #expect(after.afterSaleCase?.status == view.afterSaleCase?.status, "refused calls changed nothing")
        }
    }

    @Test func theSameKeyWithAnotherRequestIsRefused() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder()
            let customer = harness.client(role: .customer, subject: order.customerID)
            var open = GatewayV1.OpenCaseRequest(
                orderID: order.id, customerID: order.customerID, kind: .returnRefund,
                lines: [.init(orderLineID: order.lines[0].id, quantity: 1, reason: .sizeFit, requestedResolution: .refund)])
            let options = CallOptions.mutating()
            _ = try await customer.openCase(open, options: options)
            open.note = "changed my mind about the note"
            do {
                _ = try await customer.openCase(open, options: options)
                Issue.record("a reused key was accepted for another request")
            } catch let error as RPCError {
                #expect(error.code == .failedPrecondition)
                #expect(error.errorDetails?.reason == "IDEMPOTENCY_KEY_REUSED")
            }
        }
    }
}
