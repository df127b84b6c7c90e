import Foundation
@testable import OrderService
import RPCShared
import Testing

@Suite struct OrderLineLedgerTests {
    static func order(delivered: Int32, returned: Int32 = 0, ordered: Int32 = 5) -> OrderV1.Order {
        var line = OrderV1.OrderLine(id: "L", sku: "S", quantity: ordered, unitPrice: eur(100))
        line.returnedQuantity = returned
        return OrderV1.Order(id: "o", currency: "EUR", lines: [line], fulfilments: [
            .init(id: "f1", lines: [.init(orderLineID: "L", quantity: delivered)], deliveredAt: .init(epochSeconds: 1)),
            .init(id: "f2", lines: [.init(orderLineID: "L", quantity: ordered - delivered)]),
        ])
    }

    static func openCase(_ status: OrderV1.CaseStatus, requested: Int32, approved: Int32 = 0, settled: Bool = false) -> OrderV1.Case {
        OrderV1.Case(id: "c-\(status.label)", status: status, lines: [
            .init(id: "cl", orderLineID: "L", quantities: .init(requested: requested, approved: approved)),
        ], settlement: settled ? OrderV1.Settlement(isFinal: true) : nil)
    }

    @Test(arguments: [
        // status, requested, approved, settled → units held
        (OrderV1.CaseStatus.requested, Int32(3), Int32(0), false, 3),
        (.reopened, 3, 2, false, 3),
        (.approved, 3, 2, false, 2),
        (.inTransit, 3, 1, false, 1),
        (.inspected, 3, 2, false, 2),
        (.resolved, 3, 2, false, 0),
        (.rejected, 3, 0, false, 0),
        (.canceled, 3, 3, false, 0),
        (.expired, 3, 3, false, 0),
        (.closed, 3, 3, false, 0),
        (.reopened, 3, 3, true, 0),
    ])
    func unitsHeldByStatus(_ status: OrderV1.CaseStatus, _ requested: Int32, _ approved: Int32, _ settled: Bool, _ held: Int) {
        let units = OrderLineLedger.openUnits(Self.openCase(status, requested: requested, approved: approved, settled: settled))
        #expect(units["L", default: 0] == held)
    }

    @Test func availableIsDeliveredMinusReturnedMinusOpen() throws {
        let order = Self.order(delivered: 4, returned: 1)
        let open = [Self.openCase(.approved, requested: 2, approved: 1)]
        #expect(OrderLineLedger.available(order, openCases: open, kind: .returnRefund)["L"] == 2)
        // Refund-only cases are bounded by the ordered quantity: goods that never arrived can be refunded.
        #expect(OrderLineLedger.available(order, openCases: open, kind: .refundOnly)["L"] == 3)
        try OrderLineLedger.check(["L": 2], order: order, openCases: open, kind: .returnRefund)
        do {
            try OrderLineLedger.check(["L": 3], order: order, openCases: open, kind: .returnRefund)
            Issue.record("3 of 2 available units must be refused")
        } catch let error as RPCError {
            #expect(error.code == .failedPrecondition)
            #expect(error.errorDetails?.reason == "QUANTITY_EXCEEDED")
            #expect(error.errorDetails?.metadata["available"] == "2")
        }
    }

    @Test func openQuantitiesAreFilledFromCases() {
        let order = OrderLineLedger.withOpenQuantities(Self.order(delivered: 5), cases: [
            Self.openCase(.requested, requested: 1), Self.openCase(.received, requested: 2, approved: 2),
            Self.openCase(.closed, requested: 2, approved: 2),
        ])
        #expect(order.lines[0].openCaseQuantity == 3)
    }

    @Test func settledUnitsFollowTheBasis() {
        var afterSaleCase = Self.openCase(.inspected, requested: 3, approved: 2)
        afterSaleCase.lines[0].quantities?.received = 2
        afterSaleCase.lines[0].quantities?.accepted = 1
        afterSaleCase.lines[0].quantities?.rejected = 1
        #expect(OrderLineLedger.settledUnits(afterSaleCase, basis: .accepted, resolution: .refund) == ["L": 1])
        #expect(OrderLineLedger.settledUnits(afterSaleCase, basis: .approved, resolution: .exchange) == ["L": 2])
    }

    @Test(arguments: [OrderV1.Resolution.repair, .declined])
    func unitsThatGoBackToTheCustomerStayClaimable(_ resolution: OrderV1.Resolution) {
        var afterSaleCase = Self.openCase(.inspected, requested: 1, approved: 1)
        afterSaleCase.lines[0].quantities?.received = 1
        afterSaleCase.lines[0].quantities?.accepted = 1
        #expect(OrderLineLedger.settledUnits(afterSaleCase, basis: .accepted, resolution: resolution).isEmpty)
    }
}
