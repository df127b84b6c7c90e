import Foundation
import RPCShared
import Testing
@testable import OrderService

/// The worked example of docs/CONTRACT.md, number by number and sentence by sentence.
@Suite struct RefundCalculatorWorkedExampleTests {
    @Test func reproducesEveryNumberOfTheContractExample() throws {
        let order = Fixture.workedExampleOrder()
        let afterSaleCase = Fixture.afterSaleCase([Fixture.caseLine("A", 1, resolution: .refund)],
                                                  restockingBp: 1000, returnFee: 4_00)
        let settlement = try Fixture.settle(order, afterSaleCase)

        let line = try #require(settlement.lines.first)
        #expect(settlement.lines.count == 1)
        #expect(line.quantity == 1 && line.quantityBasis == .accepted && line.orderLineID == "A")
        #expect(line.itemValue?.minorUnits == 45_00)
        #expect(line.itemValue?.explanation == "1 × 50.00 − 10.00 × 1/2")
        #expect(line.orderDiscountShare?.minorUnits == -4_50)
        #expect(line.orderDiscountShare?.explanation == "order discount 12.00 × 90.00/120.00 = 9.00 on line A, × 1/2")
        #expect(line.taxShare?.minorUnits == 4_05)
        #expect(line.taxShare?.explanation == "line tax 8.10 × 1/2")
        #expect(line.restockingFee?.minorUnits == -4_05)
        #expect(line.restockingFee?.explanation == "10 % of 40.50")
        #expect(line.replacementPrice?.minorUnits == 0)
        #expect(line.lineTotal?.minorUnits == 40_50)
        #expect(line.lineTotal?.explanation == "45.00 − 4.50 + 4.05 − 4.05 = 40.50")

        #expect(settlement.itemsTotal?.minorUnits == 40_50)
        #expect(settlement.outboundShipping?.minorUnits == 0)
        #expect(settlement.outboundShipping?.explanation == "merchant not at fault")
        #expect(settlement.returnShippingFee?.minorUnits == -4_00)
        #expect(settlement.returnShippingFee?.explanation == "policy fee")
        #expect(settlement.customerPaid?.minorUnits == 0)
        #expect(settlement.totalRefundable?.minorUnits == 36_50)
        #expect(settlement.refundableCap?.minorUnits == 124_80)
        #expect(settlement.refundTotal?.minorUnits == 36_50)
        #expect(settlement.refundTotal?.explanation == "cap 124.80 not reached")
        #expect(settlement.customerOwes?.minorUnits == 0)
        #expect(settlement.exchangeDifference?.minorUnits == 0)

        let allocation = try #require(settlement.allocations.first)
        #expect(settlement.allocations.count == 1)
        #expect(allocation.paymentID == "pay_card" && allocation.method == .card)
        #expect(allocation.destination == .originalPayment)
        #expect(allocation.amount == Fixture.money(36_50))
        #expect(allocation.remainingRefundable == Fixture.money(100_00))
        #expect(allocation.explanation.hasPrefix("card before store credit"))

        #expect(settlement.currency == "EUR" && settlement.resolution == .refund && settlement.isFinal)
        #expect(settlement.computedAt == CommonV1.Timestamp(Fixture.now))
        // Every Money in the settlement is in the order's currency.
        let amounts = [line.itemValue, line.orderDiscountShare, line.taxShare, line.restockingFee,
                       line.replacementPrice, line.lineTotal, settlement.itemsTotal, settlement.outboundShipping,
                       settlement.returnShippingFee, settlement.exchangeDifference, settlement.customerPaid,
                       settlement.totalRefundable, settlement.refundableCap, settlement.refundTotal,
                       settlement.customerOwes]
        #expect(amounts.allSatisfy { $0?.amount?.currency == "EUR" && $0?.explanation.isEmpty == false })
    }

    /// The payments of the example add up to what the order cost: 130.00 − 10.00 − 12.00 + 10.80 tax + 6.00.
    @Test func exampleOrderIsConsistent() throws {
        let order = Fixture.workedExampleOrder()
        let everything = Fixture.afterSaleCase([Fixture.caseLine("A", 2), Fixture.caseLine("B", 1)],
                                               merchantAtFault: true)
        let settlement = try Fixture.settle(order, everything)
        #expect(settlement.itemsTotal?.minorUnits == 118_80)
        #expect(settlement.outboundShipping?.minorUnits == 6_00)
        #expect(settlement.refundTotal?.minorUnits == 124_80)
        #expect(settlement.allocations.map(\.amount?.minorUnits) == [100_00, 24_80])
        #expect(settlement.allocations.map(\.destination) == [.originalPayment, .storeCredit])
    }
}

/// One settlement scenario and the figures it must produce.
struct SettlementScenario: Sendable, CustomTestStringConvertible {
    var name: String
    var order: OrderV1.Order
    var afterSaleCase: OrderV1.Case
    var resolution: OrderV1.Resolution = .unspecified
    var basis: OrderV1.QuantityBasis = .accepted
    var items: Int64
    var outbound: Int64 = 0
    var returnFee: Int64 = 0
    var total: Int64
    var refund: Int64
    var owes: Int64 = 0
    var allocations: [Allocation]
    /// A fragment some explanation must contain, when the scenario is about wording.
    var explains: String? = nil

    struct Allocation: Sendable, Equatable {
        var payment: String
        var amount: Int64
        var destination: OrderV1.RefundDestination = .originalPayment
    }

    var testDescription: String { name }
}

@Suite struct RefundCalculatorScenarioTests {
    typealias A = SettlementScenario.Allocation

    static let scenarios: [SettlementScenario] = [
        SettlementScenario(
            name: "worked example: tax on top, discounts, restocking and return fee",
            order: Fixture.workedExampleOrder(),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("A", 1)], restockingBp: 1000, returnFee: 4_00),
            items: 40_50, returnFee: -4_00, total: 36_50, refund: 36_50, allocations: [A(payment: "pay_card", amount: 36_50)]),
        SettlementScenario(
            name: "prices include tax: the tax is not added again",
            order: Fixture.order([Fixture.line("X", 1, 119_00, tax: 19_00)], includeTax: true,
                                 payments: [Fixture.payment("card", .card, 119_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1)]),
            items: 119_00, total: 119_00, refund: 119_00, allocations: [A(payment: "card", amount: 119_00)],
            explains: "included in the item value (prices include tax)"),
        SettlementScenario(
            name: "tax on top is refunded with the item",
            order: Fixture.order([Fixture.line("X", 2, 10_00, tax: 2_00)], payments: [Fixture.payment("card", .card, 22_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1)]),
            items: 11_00, total: 11_00, refund: 11_00, allocations: [A(payment: "card", amount: 11_00)],
            explains: "line tax 2.00 × 1/2"),
        SettlementScenario(
            name: "line without its own discount still carries its order-discount share and tax",
            order: Fixture.workedExampleOrder(),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("B", 1)]),
            items: 29_70, total: 29_70, refund: 29_70, allocations: [A(payment: "pay_card", amount: 29_70)],
            explains: "order discount 12.00 × 30.00/120.00 = 3.00 on line B, × 1/1"),
        SettlementScenario(
            name: "restocking fee 10 % of 1.05 rounds half away from zero to 0.11",
            order: Fixture.order([Fixture.line("X", 1, 1_05)], payments: [Fixture.payment("card", .card, 1_05)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1)], restockingBp: 1000),
            items: 94, total: 94, refund: 94, allocations: [A(payment: "card", amount: 94)], explains: "10 % of 1.05"),
        SettlementScenario(
            name: "order discount 0.05 over 2 units: the first unit's −0.025 rounds away from zero to −0.03",
            order: Fixture.order([Fixture.line("X", 2, 1_00)], discount: 5, payments: [Fixture.payment("card", .card, 1_95)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1)]),
            items: 97, total: 97, refund: 97, allocations: [A(payment: "card", amount: 97)]),
        SettlementScenario(
            name: "order discount 0.05 over 2 units: the second unit takes the remainder −0.02",
            order: Fixture.order([Fixture.line("X", 2, 1_00, returned: 1)], discount: 5,
                                 payments: [Fixture.payment("card", .card, 1_95, refunded: 97)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1)]),
            items: 98, total: 98, refund: 98, allocations: [A(payment: "card", amount: 98)],
            explains: "with the rounding remainder"),
        SettlementScenario(
            name: "10.00 line discount over 3 units, second case: 3.34 with the remainder",
            order: Fixture.order([Fixture.line("X", 3, 10_00, discount: 10_00, returned: 1)],
                                 payments: [Fixture.payment("card", .card, 20_00, refunded: 6_67)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1)]),
            items: 6_66, total: 6_66, refund: 6_66, allocations: [A(payment: "card", amount: 6_66)],
            explains: "1 × 10.00 − 10.00 × 1/3 (3.34 with the rounding remainder"),
        SettlementScenario(
            name: "10.00 line discount over 3 units, last case: exactly what is left",
            order: Fixture.order([Fixture.line("X", 3, 10_00, discount: 10_00, returned: 2)],
                                 payments: [Fixture.payment("card", .card, 20_00, refunded: 13_33)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1)]),
            items: 6_67, total: 6_67, refund: 6_67, allocations: [A(payment: "card", amount: 6_67)]),
        SettlementScenario(
            name: "two case lines on one order line share its remainders like two cases",
            order: Fixture.order([Fixture.line("X", 3, 10_00, discount: 10_00)], payments: [Fixture.payment("card", .card, 20_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 2, id: "cl_1"), Fixture.caseLine("X", 1, id: "cl_2")]),
            items: 20_00, total: 20_00, refund: 20_00, allocations: [A(payment: "card", amount: 20_00)]),
        SettlementScenario(
            name: "card before store credit; store credit goes back to the wallet",
            order: Fixture.order([Fixture.line("X", 1, 100_00)], payments: [
                Fixture.payment("credit", .storeCredit, 50_00, capturedAt: 1_600_000_000),
                Fixture.payment("card", .card, 50_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1)], restockingBp: 2000),
            items: 80_00, total: 80_00, refund: 80_00,
            allocations: [A(payment: "card", amount: 50_00), A(payment: "credit", amount: 30_00, destination: .storeCredit)]),
        SettlementScenario(
            name: "bank transfer before gift card, both back to their payment",
            order: Fixture.order([Fixture.line("X", 1, 100_00)], payments: [
                Fixture.payment("gift", .giftCard, 30_00, capturedAt: 1_600_000_000),
                Fixture.payment("bank", .bankTransfer, 70_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1)]),
            items: 100_00, total: 100_00, refund: 100_00,
            allocations: [A(payment: "bank", amount: 70_00), A(payment: "gift", amount: 30_00)]),
        SettlementScenario(
            name: "cards in capture order",
            order: Fixture.order([Fixture.line("X", 1, 100_00)], payments: [
                Fixture.payment("late", .card, 60_00, capturedAt: 1_700_000_500),
                Fixture.payment("early", .digitalWallet, 40_00, capturedAt: 1_700_000_000)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1)], returnFee: 5_00),
            items: 100_00, returnFee: -5_00, total: 95_00, refund: 95_00,
            allocations: [A(payment: "early", amount: 40_00), A(payment: "late", amount: 55_00)]),
        SettlementScenario(
            name: "cap reached: only what is left on the payments is refunded",
            order: Fixture.order([Fixture.line("X", 1, 50_00)], payments: [Fixture.payment("card", .card, 50_00, refunded: 30_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1)]),
            items: 50_00, total: 50_00, refund: 20_00, allocations: [A(payment: "card", amount: 20_00)],
            explains: "capped at 20.00"),
        SettlementScenario(
            name: "cheaper exchange refunds the difference",
            order: Fixture.order([Fixture.line("X", 1, 50_00)], payments: [Fixture.payment("card", .card, 50_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1, resolution: .exchange, exchangePrice: 30_00)], kind: .exchange),
            items: 20_00, total: 20_00, refund: 20_00, allocations: [A(payment: "card", amount: 20_00)],
            explains: "1 × 30.00 for X-NEW"),
        SettlementScenario(
            name: "same-price exchange: nothing either way",
            order: Fixture.order([Fixture.line("X", 1, 50_00)], payments: [Fixture.payment("card", .card, 50_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1, resolution: .exchange, exchangePrice: 50_00)], kind: .exchange),
            items: 0, total: 0, refund: 0, allocations: []),
        SettlementScenario(
            name: "dearer exchange: the customer owes the difference, nothing is refunded",
            order: Fixture.order([Fixture.line("X", 1, 50_00)], payments: [Fixture.payment("card", .card, 50_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1, resolution: .exchange, exchangePrice: 70_00)],
                                                 kind: .exchange, returnFee: 4_00),
            items: -20_00, total: -20_00, refund: 0, owes: 20_00, allocations: [],
            explains: "the exchange costs 20.00 more"),
        SettlementScenario(
            name: "dearer exchange once the balance is paid: settled, and the fee does not create a new debt",
            order: Fixture.order([Fixture.line("X", 1, 50_00)], payments: [
                Fixture.payment("card", .card, 50_00), Fixture.payment("balance", .card, 20_00, caseID: "case_1")]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1, resolution: .exchange, exchangePrice: 70_00)],
                                                 kind: .exchange, returnFee: 4_00),
            items: -20_00, total: 0, refund: 0, allocations: [], explains: "limited to the 0.00"),
        SettlementScenario(
            name: "merchant at fault: fees waived, outbound shipping prorated by value",
            order: Fixture.order([Fixture.line("A", 1, 60_00), Fixture.line("B", 1, 40_00)], shipping: 10_00,
                                 payments: [Fixture.payment("card", .card, 110_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("A", 1)], merchantAtFault: true, restockingBp: 1500, returnFee: 5_00),
            items: 60_00, outbound: 6_00, total: 66_00, refund: 66_00, allocations: [A(payment: "card", amount: 66_00)],
            explains: "shipping 10.00 × 60.00/100.00"),
        SettlementScenario(
            name: "merchant at fault, every remaining unit: the rest of the shipping",
            order: Fixture.order([Fixture.line("A", 1, 10_00), Fixture.line("B", 2, 10_00, returned: 1)], shipping: 10_00,
                                 payments: [Fixture.payment("card", .card, 40_00, refunded: 13_33)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("A", 1), Fixture.caseLine("B", 1)], merchantAtFault: true),
            items: 20_00, outbound: 6_67, total: 26_67, refund: 26_67, allocations: [A(payment: "card", amount: 26_67)],
            explains: "the rest of the shipping: 10.00 − 3.33"),
        SettlementScenario(
            name: "merchant not at fault: no outbound shipping",
            order: Fixture.order([Fixture.line("A", 1, 10_00)], shipping: 5_00, payments: [Fixture.payment("card", .card, 15_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("A", 1)]),
            items: 10_00, total: 10_00, refund: 10_00, allocations: [A(payment: "card", amount: 10_00)]),
        SettlementScenario(
            name: "JPY has no minor digits: 10 % of 1999 is 200",
            order: Fixture.order([Fixture.line("X", 1, 1999, currency: "JPY")],
                                 payments: [Fixture.payment("card", .card, 1999, currency: "JPY")], currency: "JPY"),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1, currency: "JPY")], restockingBp: 1000, currency: "JPY"),
            items: 1799, total: 1799, refund: 1799, allocations: [A(payment: "card", amount: 1799)],
            explains: "10 % of 1999"),
        SettlementScenario(
            name: "BHD has three minor digits",
            order: Fixture.order([Fixture.line("X", 1, 1_250, currency: "BHD")],
                                 payments: [Fixture.payment("card", .card, 1_250, currency: "BHD")], currency: "BHD"),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1, currency: "BHD")], restockingBp: 1000, currency: "BHD"),
            items: 1_125, total: 1_125, refund: 1_125, allocations: [A(payment: "card", amount: 1_125)],
            explains: "10 % of 1.250"),
        SettlementScenario(
            name: "STORE_CREDIT resolution sends even the card's part to the wallet",
            order: Fixture.workedExampleOrder(),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("A", 1)]),
            resolution: .storeCredit,
            items: 44_55, total: 44_55, refund: 44_55,
            allocations: [A(payment: "pay_card", amount: 44_55, destination: .storeCredit)]),
        SettlementScenario(
            name: "cash on delivery is refunded to the wallet",
            order: Fixture.order([Fixture.line("X", 1, 20_00)], payments: [Fixture.payment("cod", .cashOnDelivery, 20_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1)]),
            items: 20_00, total: 20_00, refund: 20_00,
            allocations: [A(payment: "cod", amount: 20_00, destination: .storeCredit)]),
        SettlementScenario(
            name: "refund only: nothing comes back, so no restocking or return fee",
            order: Fixture.order([Fixture.line("X", 1, 20_00)], payments: [Fixture.payment("card", .card, 20_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1, accepted: 0)], kind: .refundOnly,
                                                 restockingBp: 1000, returnFee: 5_00),
            basis: .approved,
            items: 20_00, total: 20_00, refund: 20_00, allocations: [A(payment: "card", amount: 20_00)]),
        SettlementScenario(
            name: "everything rejected at inspection: zero, and the fee does not make the customer owe",
            order: Fixture.order([Fixture.line("X", 2, 20_00)], payments: [Fixture.payment("card", .card, 40_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 2, accepted: 0)], restockingBp: 1000, returnFee: 5_00),
            items: 0, total: 0, refund: 0, allocations: []),
        SettlementScenario(
            name: "approved basis settles approved units, not accepted ones",
            order: Fixture.order([Fixture.line("X", 2, 20_00)], payments: [Fixture.payment("card", .card, 40_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 2, accepted: 1)]),
            basis: .approved,
            items: 40_00, total: 40_00, refund: 40_00, allocations: [A(payment: "card", amount: 40_00)]),
        SettlementScenario(
            name: "accepted basis settles only the accepted unit",
            order: Fixture.order([Fixture.line("X", 2, 20_00)], payments: [Fixture.payment("card", .card, 40_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 2, accepted: 1)]),
            items: 20_00, total: 20_00, refund: 20_00, allocations: [A(payment: "card", amount: 20_00)]),
        SettlementScenario(
            name: "same-SKU replacement is free: no money either way",
            order: Fixture.order([Fixture.line("X", 1, 20_00)], payments: [Fixture.payment("card", .card, 20_00)]),
            afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("X", 1, resolution: .replacement)], kind: .exchange,
                                                 restockingBp: 1000, returnFee: 5_00),
            items: 0, total: 0, refund: 0, allocations: [], explains: "same-SKU replacement"),
    ]

    @Test(arguments: scenarios)
    func settles(_ scenario: SettlementScenario) throws {
        let settlement = try Fixture.settle(scenario.order, scenario.afterSaleCase, resolution: scenario.resolution,
                                            basis: scenario.basis)
        #expect(settlement.itemsTotal?.minorUnits == scenario.items)
        #expect(settlement.outboundShipping?.minorUnits == scenario.outbound)
        #expect(settlement.returnShippingFee?.minorUnits == scenario.returnFee)
        #expect(settlement.totalRefundable?.minorUnits == scenario.total)
        #expect(settlement.refundTotal?.minorUnits == scenario.refund)
        #expect(settlement.customerOwes?.minorUnits == scenario.owes)
        let allocations = settlement.allocations.map {
            SettlementScenario.Allocation(payment: $0.paymentID, amount: $0.amount?.minorUnits ?? 0, destination: $0.destination)
        }
        #expect(allocations == scenario.allocations)
        if let fragment = scenario.explains {
            #expect(allText(settlement).contains(fragment), "no explanation contains '\(fragment)':\n\(allText(settlement))")
        }
        try SettlementInvariants.check(settlement)
    }

    /// Every sentence of a settlement, one per line.
    func allText(_ settlement: OrderV1.Settlement) -> String {
        let lines = settlement.lines.flatMap {
            [$0.itemValue, $0.orderDiscountShare, $0.taxShare, $0.restockingFee, $0.replacementPrice, $0.lineTotal]
        }
        let totals = [settlement.itemsTotal, settlement.outboundShipping, settlement.returnShippingFee,
                      settlement.exchangeDifference, settlement.customerPaid, settlement.totalRefundable,
                      settlement.refundableCap, settlement.refundTotal, settlement.customerOwes]
        return ((lines + totals).compactMap { $0?.explanation } + settlement.allocations.map(\.explanation)
            + settlement.notes).joined(separator: "\n")
    }

    @Test func notesSayWhatWasWaivedCappedAndRounded() throws {
        let atFault = try Fixture.settle(
            Fixture.order([Fixture.line("X", 3, 10_00, discount: 10_00, returned: 1)], payments: [Fixture.payment("card", .card, 5_00)]),
            Fixture.afterSaleCase([Fixture.caseLine("X", 1)], merchantAtFault: true, restockingBp: 1000, returnFee: 4_00))
        #expect(atFault.notes.contains("waived (merchant at fault): restocking fee 10 %, return shipping fee 4.00"))
        #expect(atFault.notes.contains { $0.hasPrefix("refund capped: 6.66 refundable but only 5.00") })
        #expect(atFault.notes.contains { $0.hasPrefix("line discount of line X: units 2–2 of 3 take 3.34 instead of 3.33") })
        let taxIncluded = try Fixture.settle(
            Fixture.order([Fixture.line("X", 1, 10_00, tax: 1_60)], includeTax: true, payments: [Fixture.payment("card", .card, 10_00)]),
            Fixture.afterSaleCase([Fixture.caseLine("X", 1)]))
        #expect(taxIncluded.notes.contains { $0.hasPrefix("prices include tax") })
    }

    @Test func storeCreditExpiryIsNamedInTheAllocation() throws {
        let expiry = CommonV1.Timestamp(epochSeconds: 1_790_000_000)
        let settlement = try Fixture.settle(Fixture.workedExampleOrder(), Fixture.afterSaleCase([Fixture.caseLine("B", 1)]),
                                            resolution: .storeCredit, expiresAt: expiry)
        #expect(settlement.allocations.first?.explanation.hasSuffix("as store credit expiring 2026-09-21T14:13:20Z") == true)
    }

    @Test func linesAskingForStoreCreditAloneGoToTheWallet() throws {
        let order = Fixture.workedExampleOrder()
        let credit = try Fixture.settle(order, Fixture.afterSaleCase([Fixture.caseLine("B", 1, resolution: .storeCredit)]))
        #expect(credit.resolution == .storeCredit && credit.allocations.allSatisfy { $0.destination == .storeCredit })
        let mixed = try Fixture.settle(order, Fixture.afterSaleCase([
            Fixture.caseLine("A", 1, resolution: .refund), Fixture.caseLine("B", 1, resolution: .storeCredit)]))
        #expect(mixed.resolution == .unspecified)
        #expect(mixed.allocations.map(\.destination) == [.originalPayment])
        #expect(mixed.notes.contains { $0.hasPrefix("lines ask for both refund and store credit") })
    }

    @Test func quoteIsMarkedNotFinal() throws {
        let settlement = try RefundCalculator.settle(
            order: Fixture.workedExampleOrder(), afterSaleCase: Fixture.afterSaleCase([Fixture.caseLine("A", 2)]),
            resolution: .refund, basis: .requested, isFinal: false, storeCreditExpiresAt: nil, at: Fixture.now)
        #expect(!settlement.isFinal && settlement.lines.first?.quantityBasis == .requested)
    }
}
