import Foundation
import RPCShared
import Testing
@testable import OrderService

/// A settlement input that must be refused, and the field the error must name.
struct InvalidSettlement: Sendable, CustomTestStringConvertible {
    var field: String
    var order: OrderV1.Order = Fixture.workedExampleOrder()
    var afterSaleCase: OrderV1.Case = Fixture.afterSaleCase([Fixture.caseLine("A", 1)])
    var resolution: OrderV1.Resolution = .unspecified
    var basis: OrderV1.QuantityBasis = .accepted
    var expiresAt: CommonV1.Timestamp? = nil

    var testDescription: String { field }
}

@Suite struct SettlementInputTests {
    static func modified(_ change: (inout OrderV1.Order) -> Void) -> OrderV1.Order {
        var order = Fixture.workedExampleOrder()
        change(&order)
        return order
    }

    static let cases: [InvalidSettlement] = [
        InvalidSettlement(field: "order.lines[0].unit_price.currency",
                          order: modified { $0.lines[0].unitPrice = Fixture.money(50_00, "USD") }),
        InvalidSettlement(field: "order.lines[1].tax.currency",
                          order: modified { $0.lines[1].tax = Fixture.money(2_70, "CNY") }),
        InvalidSettlement(field: "order.payments[1].captured.currency",
                          order: modified { $0.payments[1].captured = Fixture.money(24_80, "USD") }),
        InvalidSettlement(field: "order.shipping_cost.currency",
                          order: modified { $0.shippingCost = Fixture.money(6_00, "GBP") }),
        InvalidSettlement(field: "case.fee_terms.return_shipping_fee.currency",
                          afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("A", 1)], returnFee: 4_00, currency: "USD")),
        InvalidSettlement(field: "case.lines[0].exchange_unit_price.currency",
                          afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("A", 1, resolution: .exchange,
                                                                                 exchangePrice: 10_00, currency: "USD")])),
        InvalidSettlement(field: "case.currency",
                          afterSaleCase: { var c = Fixture.afterSaleCase([Fixture.caseLine("A", 1)]); c.currency = "USD"; return c }()),
        InvalidSettlement(field: "order.currency", order: modified { $0.currency = "euro" }),
        InvalidSettlement(field: "case.lines[0].exchange_unit_price",
                          afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("A", 1, resolution: .exchange)])),
        InvalidSettlement(field: "case.lines[0].quantities.accepted",
                          afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("A", 3)])),
        InvalidSettlement(field: "case.lines[1].quantities.accepted",
                          order: modified { $0.lines[0].returnedQuantity = 1 },
                          afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("A", 1, id: "x"), Fixture.caseLine("A", 1, id: "y")])),
        InvalidSettlement(field: "case.lines[0].order_line_id",
                          afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("Z", 1)])),
        InvalidSettlement(field: "case.lines[0].requested_resolution",
                          afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("A", 1, resolution: .unspecified)])),
        InvalidSettlement(field: "case.lines", afterSaleCase: Fixture.afterSaleCase([])),
        InvalidSettlement(field: "quantity_basis", basis: .unspecified),
        InvalidSettlement(field: "resolution", resolution: .unrecognized(42)),
        InvalidSettlement(field: "order.payments[0].refunded",
                          order: modified { $0.payments[0].refunded = Fixture.money(100_01) }),
        InvalidSettlement(field: "order.payments[0].captured.minor_units",
                          order: modified { $0.payments[0].captured = Fixture.money(-1) }),
        InvalidSettlement(field: "order.order_discount", order: modified { $0.orderDiscount = Fixture.money(120_01) }),
        InvalidSettlement(field: "order.lines[0].line_discount",
                          order: modified { $0.lines[0].lineDiscount = Fixture.money(100_01) }),
        InvalidSettlement(field: "order.lines[0].unit_price",
                          order: modified { $0.lines[0].unitPrice = Fixture.money(.max) }),
        InvalidSettlement(field: "order.lines[0].quantity", order: modified { $0.lines[0].quantity = 0 }),
        InvalidSettlement(field: "order.lines[1].id", order: modified { $0.lines[1].id = "A" }),
        InvalidSettlement(field: "order.lines[0].returned_quantity", order: modified { $0.lines[0].returnedQuantity = 3 }),
        InvalidSettlement(field: "case.fee_terms.restocking_fee_bp",
                          afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("A", 1)], restockingBp: 10_001)),
        InvalidSettlement(field: "store_credit_expires_at", resolution: .storeCredit,
                          expiresAt: CommonV1.Timestamp(Fixture.now.addingTimeInterval(-1))),
        InvalidSettlement(field: "case.order_id",
                          afterSaleCase: { var c = Fixture.afterSaleCase([Fixture.caseLine("A", 1)]); c.orderID = "ord_2"; return c }()),
    ]

    @Test(arguments: cases)
    func refusesInconsistentInput(_ invalid: InvalidSettlement) {
        do {
            _ = try Fixture.settle(invalid.order, invalid.afterSaleCase, resolution: invalid.resolution,
                                   basis: invalid.basis, expiresAt: invalid.expiresAt)
            Issue.record("settled although \(invalid.field) is wrong")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains(invalid.field + ":"), "message '\(error.message)' does not name \(invalid.field)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func reportsEveryProblemAtOnce() {
        var order = Fixture.workedExampleOrder()
        order.lines[0].unitPrice = Fixture.money(50_00, "USD")
        order.payments[0].captured = Fixture.money(100_00, "USD")
        do {
            _ = try Fixture.settle(order, Fixture.afterSaleCase([Fixture.caseLine("Z", 1)]), basis: .unspecified)
            Issue.record("settled an order with four problems")
        } catch let error as RPCError {
            for field in ["order.lines[0].unit_price.currency", "order.payments[0].captured.currency",
                          "case.lines[0].order_line_id", "quantity_basis"] {
                #expect(error.message.contains(field + ":"), "'\(error.message)' does not name \(field)")
            }
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func proratesTheOrderDiscountExactlyByDiscountedValue() throws {
        let input = try SettlementInput.validate(
            order: Fixture.order([Fixture.line("A", 1, 1_00), Fixture.line("B", 1, 1_00), Fixture.line("C", 1, 1_00)],
                                 discount: 1_00, payments: []),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("A", 1)]), resolution: .refund, basis: .accepted,
            storeCreditExpiresAt: nil, at: Fixture.now)
        #expect(input.lines.map(\.orderDiscountShare) == [34, 33, 33])
        #expect(input.orderDiscountedValue == 2_00)
    }
}
