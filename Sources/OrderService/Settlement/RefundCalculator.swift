import Foundation
import RPCShared
import ServiceRuntime

/// The refund arithmetic of a case (docs/CONTRACT.md "Refund math", docs/services/order-settlement.md): pure,
/// no storage, no RPC. Every component is an `ExplainedMoney` whose sentence shows the numbers behind it.
public enum RefundCalculator {
    /// Settles `afterSaleCase` against `order` (lines with returned_quantity, payments with refunded and case_id).
    /// `resolution` UNSPECIFIED = each line's requested resolution. Throws RPCError (INVALID_ARGUMENT) on inconsistent input.
    ///
    /// Call it before the case's units are added to `OrderLine.returned_quantity`: that field says which units
    /// earlier cases settled, and the rounding remainders of a line go to the case that settles its last units.
    public static func settle(order: OrderV1.Order, afterSaleCase: OrderV1.Case, resolution: OrderV1.Resolution,
                              basis: OrderV1.QuantityBasis, isFinal: Bool, storeCreditExpiresAt: CommonV1.Timestamp?,
                              at now: Date) throws -> OrderV1.Settlement {
        let input = try SettlementInput.validate(order: order, afterSaleCase: afterSaleCase, resolution: resolution,
                                                 basis: basis, storeCreditExpiresAt: storeCreditExpiresAt, at: now)
        let currency = input.currency
        func money(_ amount: Int64, _ text: String) -> OrderV1.ExplainedMoney { .init(amount, currency, text) }
        func fmt(_ amount: Int64) -> String { OrderV1.ExplainedMoney.format(amount, currency) }
        var notes: [String] = []

        let lines = try input.units.map { try settleLine($0, input, notes: &notes) }
        if input.pricesIncludeTax {
            notes.append("prices include tax: no tax is added, it is already inside each item value")
        }
        notes += waiverNotes(input)

        let itemsTotal = try Checked.sum(lines.map(\.total), "items_total")
        let outbound = outboundShipping(input, lines, notes: &notes)
        let customerPaid = try Checked.sum(input.payments.filter { !input.caseID.isEmpty && $0.caseID == input.caseID }
            .map(\.remaining), "customer_paid")
        let returnFee = returnShippingFee(input, before: try Checked.sum([itemsTotal, outbound.minorUnits, customerPaid],
                                                                         "total_refundable"), notes: &notes)
        let totalTerms = [itemsTotal, outbound.minorUnits, returnFee.minorUnits, customerPaid]
        let total = try Checked.sum(totalTerms, "total_refundable")
        let cap = try Checked.sum(input.payments.map(\.remaining), "refundable_cap")
        let refundTotal = min(max(total, 0), cap)
        let owes = total < 0 ? -total : 0

        var refundText = total <= 0 ? "nothing to refund" : "cap \(fmt(cap)) not reached"
        if total > cap {
            refundText = "capped at \(fmt(cap)) still refundable on the order's payments"
            notes.append("refund capped: \(fmt(total)) refundable but only \(fmt(cap)) is left on the payments")
        }
        if owes > 0 {
            notes.append("the customer owes \(fmt(owes)): a payment request, never charged automatically")
        }

        let exchangeLines = lines.filter { $0.treatment == .exchange }
        let exchangeDifference = try Checked.sum(exchangeLines.map(\.total), "exchange_difference")
        let (settledResolution, mode) = destination(input, resolution: resolution, expiresAt: storeCreditExpiresAt,
                                                    notes: &notes)
        let caseCount = input.payments.filter { !input.caseID.isEmpty && $0.caseID == input.caseID }.count

        return OrderV1.Settlement(
            currency: currency, resolution: settledResolution, lines: lines.map(\.line),
            itemsTotal: money(itemsTotal, lines.count == 1 ? "the line total" : "Σ of \(lines.count) line totals"),
            outboundShipping: outbound, returnShippingFee: returnFee,
            exchangeDifference: money(exchangeDifference, exchangeLines.isEmpty ? "no exchange lines"
                : exchangeDifference < 0 ? "the exchange costs \(fmt(-exchangeDifference)) more than the returned units"
                : "Σ of the exchange line totals"),
            customerPaid: money(customerPaid, caseCount == 0 ? "no payment recorded for this case"
                : "\(caseCount) payment\(caseCount == 1 ? "" : "s") recorded for this case"),
            totalRefundable: money(total, "items \(fmt(itemsTotal)) + outbound shipping \(fmt(outbound.minorUnits)) "
                + "− return shipping fee \(fmt(-returnFee.minorUnits)) + paid for this case \(fmt(customerPaid))"),
            refundableCap: money(cap, "Σ captured − refunded over \(input.payments.count) payment\(input.payments.count == 1 ? "" : "s")"),
            refundTotal: money(refundTotal, refundText),
            customerOwes: money(owes, owes == 0 ? "nothing owed"
                : "to be paid by the customer (RecordPayment) before the case can be resolved"),
            allocations: PaymentAllocator.allocate(refundTotal, from: input.payments, mode: mode, currency: currency),
            isFinal: isFinal, computedAt: CommonV1.Timestamp(now), notes: notes)
    }

    /// `shipping_cost × settled discounted value / order discounted value`, merchant at fault only. Computed as
    /// the difference of cumulative shares (see ``UnitProration``): units returned earlier are taken to have
    /// settled their part, so the case returning every remaining unit gets all of the rest and the cases
    /// together never exceed the shipping charged.
    static func outboundShipping(_ input: SettlementInput, _ lines: [SettledLine],
                                 notes: inout [String]) -> OrderV1.ExplainedMoney {
        let currency = input.currency
        func fmt(_ amount: Int64) -> String { OrderV1.ExplainedMoney.format(amount, currency) }
        let shipping = input.shippingCost
        if shipping == 0 { return .init(0, currency, "no outbound shipping was charged") }
        if !input.merchantAtFault { return .init(0, currency, "merchant not at fault") }
        let refunded = zip(input.units, lines).filter { $0.1.treatment.settlesMoney }
        if refunded.allSatisfy({ $0.0.quantity == 0 }) { return .init(0, currency, "no units are refunded") }

        // By discounted value; by units when the merchandise was free (nothing else to weigh by).
        let byValue = input.orderDiscountedValue > 0
        let whole = byValue ? input.orderDiscountedValue : input.lines.reduce(Int64(0)) { $0 + $1.quantity }
        let before = byValue ? input.lines.reduce(Int64(0)) { $0 + $1.discountedValue(ofFirst: $1.returned) }
            : input.lines.reduce(Int64(0)) { $0 + $1.returned }
        let settled = byValue ? refunded.reduce(Int64(0)) { $0 + $1.1.discountedValue }
            : refunded.reduce(Int64(0)) { $0 + $1.0.quantity }
        func cumulative(_ weight: Int64) -> Int64 { MoneyMath.scale(shipping, by: min(max(weight, 0), whole), over: whole) }
        let amount = cumulative(before + settled) - cumulative(before)

        var remaining = input.lines.map { $0.quantity - $0.returned }
        for (units, _) in refunded { remaining[units.line] -= units.quantity }
        if remaining.allSatisfy({ $0 == 0 }) {
            return .init(amount, currency, before == 0 ? "all of the shipping \(fmt(shipping)): every unit comes back"
                : "the rest of the shipping: \(fmt(shipping)) − \(fmt(shipping - amount)) that belongs to units returned earlier")
        }
        let plain = MoneyMath.scale(shipping, by: min(max(settled, 0), whole), over: whole)
        var text = byValue ? "shipping \(fmt(shipping)) × \(fmt(settled))/\(fmt(whole))" : "shipping \(fmt(shipping)) × \(settled)/\(whole) units"
        if amount != plain {
            text += " (\(fmt(amount)) with the rounding remainder of units returned earlier)"
            notes.append("outbound shipping: \(fmt(amount)) instead of \(fmt(plain)) so that all cases together refund exactly \(fmt(shipping))")
        }
        return .init(amount, currency, text)
    }

    /// The flat fee, waived when the merchant is at fault, not charged when nothing is shipped back (refund
    /// only), and never more than the case would otherwise refund: a fee alone must not turn a refund into a
    /// debt (or block ResolveCase with PAYMENT_REQUIRED when every unit was rejected at inspection).
    static func returnShippingFee(_ input: SettlementInput, before available: Int64,
                                  notes: inout [String]) -> OrderV1.ExplainedMoney {
        let currency = input.currency
        func fmt(_ amount: Int64) -> String { OrderV1.ExplainedMoney.format(amount, currency) }
        let fee = input.returnShippingFee
        if fee == 0 { return .init(0, currency, "no return shipping fee in the return policy") }
        if input.merchantAtFault { return .init(0, currency, "waived: merchant at fault") }
        if input.refundOnly { return .init(0, currency, "none: refund only, nothing is shipped back") }
        let charged = min(fee, max(available, 0))
        if charged < fee {
            notes.append("return shipping fee \(fmt(fee)) limited to \(fmt(charged)), what the case refunds before it")
            return .init(-charged, currency, "policy fee \(fmt(fee)), limited to the \(fmt(charged)) the case refunds")
        }
        return .init(-charged, currency, "policy fee")
    }

    private static func waiverNotes(_ input: SettlementInput) -> [String] {
        let fmt = { OrderV1.ExplainedMoney.format($0, input.currency) }
        var waived: [String] = []
        if input.restockingFeeBp > 0 { waived.append("restocking fee \(OrderV1.ExplainedMoney.percent(input.restockingFeeBp))") }
        if input.returnShippingFee > 0 { waived.append("return shipping fee \(fmt(input.returnShippingFee))") }
        guard !waived.isEmpty, input.merchantAtFault || input.refundOnly else { return [] }
        let why = input.merchantAtFault ? "merchant at fault" : "refund only, nothing comes back"
        return ["waived (\(why)): " + waived.joined(separator: ", ")]
    }

    /// The settlement's resolution and where the money goes. REFUND → the original payments; STORE_CREDIT →
    /// the wallet. UNSPECIFIED: the wallet only when every refunded line asked for store credit (mixed requests
    /// go back to the payments: never less for the customer than what was asked).
    static func destination(_ input: SettlementInput, resolution: OrderV1.Resolution, expiresAt: CommonV1.Timestamp?,
                            notes: inout [String]) -> (OrderV1.Resolution, PaymentAllocator.Mode) {
        var settled = resolution
        var toWallet = resolution == .storeCredit
        if resolution == .unspecified {
            let requested = input.units.map(\.resolution)
            if let first = requested.first, requested.allSatisfy({ $0 == first }) { settled = first }
            let refunded = requested.filter { $0 == .refund || $0 == .storeCredit }
            toWallet = !refunded.isEmpty && refunded.allSatisfy { $0 == .storeCredit }
            if !toWallet && refunded.contains(.storeCredit) {
                notes.append("lines ask for both refund and store credit: all of it goes back to the original payments")
            }
        }
        if !toWallet && expiresAt != nil {
            notes.append("store_credit_expires_at applies only to store credit and was not used")
        }
        return (settled, toWallet ? .storeCredit(expiresAt: expiresAt) : .originalPayments)
    }
}
