import Foundation
import RPCShared
@testable import OrderService

/// Small builders for orders and cases, so that each settlement test states only the numbers it is about.
enum Fixture {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func money(_ minorUnits: Int64, _ currency: String = "EUR") -> CommonV1.Money {
        CommonV1.Money(currency: currency, minorUnits: minorUnits)
    }

    static func line(_ id: String, _ quantity: Int32, _ unitPrice: Int64, discount: Int64 = 0, tax: Int64 = 0,
                     returned: Int32 = 0, currency: String = "EUR") -> OrderV1.OrderLine {
        OrderV1.OrderLine(id: id, sku: id, quantity: quantity, unitPrice: money(unitPrice, currency),
                          lineDiscount: discount == 0 ? nil : money(discount, currency),
                          tax: tax == 0 ? nil : money(tax, currency), returnedQuantity: returned)
    }

    static func payment(_ id: String, _ method: OrderV1.PaymentMethod, _ captured: Int64, refunded: Int64 = 0,
                        capturedAt: Int64 = 1_700_000_000, caseID: String = "",
                        currency: String = "EUR") -> OrderV1.Payment {
        OrderV1.Payment(id: id, method: method, captured: money(captured, currency),
                        refunded: money(refunded, currency),
                        capturedAt: CommonV1.Timestamp(epochSeconds: capturedAt), caseID: caseID)
    }

    static func order(_ lines: [OrderV1.OrderLine], discount: Int64 = 0, shipping: Int64 = 0,
                      includeTax: Bool = false, payments: [OrderV1.Payment],
                      currency: String = "EUR") -> OrderV1.Order {
        OrderV1.Order(id: "ord_1", currency: currency, lines: lines,
                      orderDiscount: discount == 0 ? nil : money(discount, currency),
                      shippingCost: shipping == 0 ? nil : money(shipping, currency),
                      pricesIncludeTax: includeTax, payments: payments)
    }

    /// A case line whose ledger has `quantity` at every stage (requested = approved = received = accepted),
    /// unless `accepted` says otherwise.
    static func caseLine(_ orderLineID: String, _ quantity: Int32, accepted: Int32? = nil,
                         resolution: OrderV1.Resolution = .refund, exchangePrice: Int64? = nil,
                         id: String? = nil, currency: String = "EUR") -> OrderV1.CaseLine {
        let accepted = accepted ?? quantity
        return OrderV1.CaseLine(
            id: id ?? "cl_\(orderLineID)", orderLineID: orderLineID, sku: orderLineID,
            requestedResolution: resolution,
            quantities: OrderV1.QuantityLedger(requested: quantity, approved: quantity, received: quantity,
                                               accepted: accepted, rejected: quantity - accepted),
            exchangeSKU: exchangePrice == nil ? "" : "\(orderLineID)-NEW",
            exchangeUnitPrice: exchangePrice.map { money($0, currency) })
    }

    static func afterSaleCase(_ lines: [OrderV1.CaseLine], kind: OrderV1.CaseKind = .returnRefund,
                              merchantAtFault: Bool = false, restockingBp: Int32 = 0, returnFee: Int64 = 0,
                              id: String = "case_1", currency: String = "EUR") -> OrderV1.Case {
        OrderV1.Case(id: id, orderID: "ord_1", kind: kind, lines: lines, currency: currency,
                     merchantAtFault: merchantAtFault,
                     feeTerms: OrderV1.FeeTerms(policyID: "pol_1", restockingFeeBp: restockingBp,
                                                returnShippingFee: returnFee == 0 ? nil : money(returnFee, currency)))
    }

    /// The order of docs/CONTRACT.md's worked example: EUR, tax on top; line A 2 × 50.00 with 10.00 line
    /// discount, line B 1 × 30.00; order discount 12.00; tax 10 %; shipping 6.00; card 100.00 + store credit 24.80.
    static func workedExampleOrder() -> OrderV1.Order {
        order([line("A", 2, 50_00, discount: 10_00, tax: 8_10), line("B", 1, 30_00, tax: 2_70)],
              discount: 12_00, shipping: 6_00,
              payments: [payment("pay_card", .card, 100_00, capturedAt: 1_700_000_000),
                         payment("pay_credit", .storeCredit, 24_80, capturedAt: 1_699_999_000)])
    }

    static func settle(_ order: OrderV1.Order, _ afterSaleCase: OrderV1.Case,
                       resolution: OrderV1.Resolution = .unspecified, basis: OrderV1.QuantityBasis = .accepted,
                       expiresAt: CommonV1.Timestamp? = nil) throws -> OrderV1.Settlement {
        try RefundCalculator.settle(order: order, afterSaleCase: afterSaleCase, resolution: resolution, basis: basis,
                                    isFinal: true, storeCreditExpiresAt: expiresAt, at: now)
    }
}
