import Foundation
import RPCShared
import Testing
@testable import OrderService

/// A small deterministic generator (SplitMix64), so a failing random order can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random orders and cases: the invariants of docs/CONTRACT.md hold for all of them, and returning every unit
/// of an order over any split into cases refunds exactly what was paid when nothing is deducted.
@Suite struct RefundCalculatorPropertyTests {
    static let methods: [OrderV1.PaymentMethod] = [.card, .digitalWallet, .bankTransfer, .storeCredit, .giftCard, .cashOnDelivery]

    /// A random consistent order and what the customer paid for it.
    static func randomOrder(_ rng: inout SeededGenerator) -> (order: OrderV1.Order, paid: Int64) {
        let currency = ["EUR", "JPY", "BHD", "USD"].randomElement(using: &rng) ?? "EUR"
        var lines: [OrderV1.OrderLine] = []
        var discounted: Int64 = 0
        var taxes: Int64 = 0
        for index in 0..<Int.random(in: 1...4, using: &rng) {
            let quantity = Int32.random(in: 1...6, using: &rng)
            let unit = Int64.random(in: 0..<10, using: &rng) == 0 ? 0 : Int64.random(in: 1...50_000, using: &rng)
            let gross = Int64(quantity) * unit
            let discount = Bool.random(using: &rng) ? Int64.random(in: 0...gross, using: &rng) : 0
            let tax = Bool.random(using: &rng) ? Int64.random(in: 0...(gross - discount) / 4 + 1, using: &rng) : 0
            lines.append(Fixture.line("L\(index)", quantity, unit, discount: discount, tax: tax, currency: currency))
            discounted += gross - discount
            taxes += tax
        }
        let orderDiscount = Bool.random(using: &rng) ? Int64.random(in: 0...discounted / 3, using: &rng) : 0
        let shipping = Bool.random(using: &rng) ? Int64.random(in: 1...2_000, using: &rng) : 0
        let includeTax = Bool.random(using: &rng)
        let paid = discounted - orderDiscount + (includeTax ? 0 : taxes) + shipping
        // Split what was paid over 1–3 payments of random methods, captured at random times.
        var payments: [OrderV1.Payment] = []
        var left = paid
        let count = Int.random(in: 1...3, using: &rng)
        for index in 0..<count {
            let amount = index == count - 1 ? left : Int64.random(in: 0...left, using: &rng)
            left -= amount
            payments.append(Fixture.payment("p\(index)", methods.randomElement(using: &rng) ?? .card, amount,
                                            capturedAt: Int64.random(in: 1_700_000_000...1_700_100_000, using: &rng),
                                            currency: currency))
        }
        return (Fixture.order(lines, discount: orderDiscount, shipping: shipping, includeTax: includeTax,
                              payments: payments, currency: currency), paid)
    }

    /// Case lines taking `units[i]` units of order line i; a line of 2+ units is sometimes split over two case lines.
    static func caseLines(_ order: OrderV1.Order, _ units: [Int32], resolution: OrderV1.Resolution,
                          _ rng: inout SeededGenerator) -> [OrderV1.CaseLine] {
        var lines: [OrderV1.CaseLine] = []
        for (index, take) in units.enumerated() where take > 0 {
            let id = order.lines[index].id
            let exchangePrice = resolution == .exchange ? Int64.random(in: 0...60_000, using: &rng) : nil
            let parts = take >= 2 && Bool.random(using: &rng) ? [take / 2, take - take / 2] : [take]
            for (part, quantity) in parts.enumerated() {
                lines.append(Fixture.caseLine(id, quantity, resolution: resolution, exchangePrice: exchangePrice,
                                              id: "cl_\(id)_\(part)", currency: order.currency))
            }
        }
        return lines
    }

    @Test func randomSettlementsKeepTheInvariants() throws {
        var rng = SeededGenerator(seed: 20_250_601)
        for iteration in 0..<1_000 {
            var order = Self.randomOrder(&rng).order
            // Earlier returns and refunds.
            for index in order.lines.indices {
                order.lines[index].returnedQuantity = Int32.random(in: 0...order.lines[index].quantity - 1, using: &rng)
            }
            for index in order.payments.indices {
                let captured = order.payments[index].captured?.minorUnits ?? 0
                order.payments[index].refunded?.minorUnits = Int64.random(in: 0...captured, using: &rng)
            }
            let resolution = [OrderV1.Resolution.refund, .storeCredit, .exchange, .replacement].randomElement(using: &rng) ?? .refund
            if resolution == .exchange && Bool.random(using: &rng) {
                order.payments.append(Fixture.payment("balance", .card, Int64.random(in: 0...5_000, using: &rng),
                                                      caseID: "case_1", currency: order.currency))
            }
            let units = order.lines.map { Int32.random(in: 0...($0.quantity - $0.returnedQuantity), using: &rng) }
            var lines = Self.caseLines(order, units, resolution: resolution, &rng)
            if lines.isEmpty { lines = Self.caseLines(order, [1], resolution: resolution, &rng) }
            let afterSaleCase = Fixture.afterSaleCase(
                lines, kind: [.returnRefund, .refundOnly, .exchange].randomElement(using: &rng) ?? .returnRefund,
                merchantAtFault: Bool.random(using: &rng), restockingBp: Int32.random(in: 0...3_000, using: &rng),
                returnFee: Int64.random(in: 0...1_000, using: &rng), currency: order.currency)
            let settlement = try Fixture.settle(order, afterSaleCase)
            do {
                try SettlementInvariants.check(settlement)
            } catch {
                Issue.record("iteration \(iteration): \(error)\norder: \(order)\ncase: \(afterSaleCase)")
                return
            }
        }
    }

    /// Every unit of random orders returned over random splits into cases. Without deductions (merchant at
    /// fault, so no fees and shipping refunded) the refunds add up to exactly what was paid; with random fees
    /// and fault they never exceed it. No payment is ever refunded more than it captured.
    @Test(arguments: [false, true])
    func returningEveryUnitNeverRefundsMoreThanWasPaid(withDeductions: Bool) throws {
        var rng = SeededGenerator(seed: withDeductions ? 7 : 11)
        for iteration in 0..<1_000 {
            let generated = Self.randomOrder(&rng)
            var order = generated.order
            let paid = generated.paid
            var refunded: Int64 = 0
            var caseNumber = 0
            while order.lines.contains(where: { $0.returnedQuantity < $0.quantity }) {
                caseNumber += 1
                let last = caseNumber == 4
                let units = order.lines.map { line -> Int32 in
                    let left = line.quantity - line.returnedQuantity
                    return last ? left : Int32.random(in: 0...left, using: &rng)
                }
                if units.allSatisfy({ $0 == 0 }) { continue }
                let resolution: OrderV1.Resolution = Bool.random(using: &rng) ? .refund : .storeCredit
                let atFault = withDeductions ? Bool.random(using: &rng) : true
                let afterSaleCase = Fixture.afterSaleCase(
                    Self.caseLines(order, units, resolution: resolution, &rng), merchantAtFault: atFault,
                    restockingBp: withDeductions ? Int32.random(in: 0...2_000, using: &rng) : 0,
                    returnFee: withDeductions ? Int64.random(in: 0...800, using: &rng) : 0,
                    id: "case_\(caseNumber)", currency: order.currency)
                let settlement = try Fixture.settle(order, afterSaleCase)
                try SettlementInvariants.check(settlement)
                for allocation in settlement.allocations {
                    let index = try #require(order.payments.firstIndex { $0.id == allocation.paymentID })
                    order.payments[index].refunded?.minorUnits += allocation.amount?.minorUnits ?? 0
                }
                refunded += settlement.refundTotal?.minorUnits ?? 0
                for (index, take) in units.enumerated() { order.lines[index].returnedQuantity += take }
            }
            let overRefunded = order.payments.filter { ($0.refunded?.minorUnits ?? 0) > ($0.captured?.minorUnits ?? 0) }
            #expect(overRefunded.isEmpty, "iteration \(iteration): payments refunded above capture")
            if withDeductions {
                #expect(refunded <= paid, "iteration \(iteration): refunded \(refunded) of \(paid) paid")
            } else {
                #expect(refunded == paid, "iteration \(iteration): refunded \(refunded) of \(paid) paid\n\(order)")
            }
            if refunded > paid || (!withDeductions && refunded != paid) { return }
        }
    }
}
