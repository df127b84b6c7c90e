// TEMPORARY STAND-IN — replaced at merge by the settlement engineer's RefundCalculator (docs/services/order-settlement.md).
// It exists only so OrderService compiles and its case flow can be tested: item value minus the line discount share,
// exchange prices, payments for the case, the refundable cap and allocations in payment order. No order-discount
// proration, tax, restocking, shipping or fee rules. Do not test settlement numbers against it.
import Foundation
import RPCShared
import ServiceRuntime

public enum RefundCalculator {
    /// Settles `afterSaleCase` against `order` (lines with returned_quantity, payments with refunded and case_id).
    /// `resolution` UNSPECIFIED = each line's requested resolution. Throws RPCError (INVALID_ARGUMENT) on inconsistent input.
    public static func settle(order: OrderV1.Order, afterSaleCase: OrderV1.Case, resolution: OrderV1.Resolution,
                              basis: OrderV1.QuantityBasis, isFinal: Bool, storeCreditExpiresAt: CommonV1.Timestamp?,
                              at now: Date) throws -> OrderV1.Settlement {
        let currency = order.currency
        func money(_ units: Int64) -> CommonV1.Money { CommonV1.Money(currency: currency, minorUnits: units) }
        func explained(_ units: Int64, _ text: String) -> OrderV1.ExplainedMoney {
            OrderV1.ExplainedMoney(amount: money(units), explanation: text)
        }
        var settlement = OrderV1.Settlement()
        settlement.currency = currency
        settlement.resolution = resolution
        settlement.isFinal = isFinal
        settlement.computedAt = CommonV1.Timestamp(now)
        settlement.notes = ["temporary stand-in calculator: item value and exchange prices only"]
        var itemsTotal: Int64 = 0
        var exchangeTotal: Int64 = 0
        for line in afterSaleCase.lines {
            guard let orderLine = order.lines.first(where: { $0.id == line.orderLineID }) else {
                throw RPCError.invalidArgument("lines.order_line_id", "order line \(line.orderLineID) is not on order \(order.id)")
            }
            let ledger = line.quantities ?? .init()
            let quantity: Int32 = switch basis {
            case .requested: ledger.requested
            case .accepted: ledger.accepted
            default: ledger.approved
            }
            let lineResolution = resolution == .unspecified ? line.requestedResolution : resolution
            var item = Int64(quantity) * (orderLine.unitPrice?.minorUnits ?? 0)
            if orderLine.quantity > 0, quantity <= orderLine.quantity {
                item -= MoneyMath.scale(orderLine.lineDiscount?.minorUnits ?? 0, by: Int64(quantity), over: Int64(orderLine.quantity))
            }
            if lineResolution == .declined { item = 0 }
            let replacement = lineResolution == .exchange ? -Int64(quantity) * (line.exchangeUnitPrice?.minorUnits ?? 0) : 0
            let total = item + replacement
            itemsTotal += total
            if lineResolution == .exchange { exchangeTotal += total }
            settlement.lines.append(OrderV1.SettlementLine(
                caseLineID: line.id, orderLineID: line.orderLineID, sku: line.sku, quantity: quantity, quantityBasis: basis,
                itemValue: explained(item, "item value"), orderDiscountShare: explained(0, "not computed"),
                taxShare: explained(0, "not computed"), restockingFee: explained(0, "not computed"),
                replacementPrice: explained(replacement, "exchange price"), lineTotal: explained(total, "line total")))
        }
        let paid = order.payments.filter { $0.caseID == afterSaleCase.id && !afterSaleCase.id.isEmpty }
            .reduce(Int64(0)) { $0 + ($1.captured?.minorUnits ?? 0) }
        let refundable = itemsTotal + paid
        let cap = order.payments.reduce(Int64(0)) { $0 + ($1.captured?.minorUnits ?? 0) - ($1.refunded?.minorUnits ?? 0) }
        let refundTotal = min(max(refundable, 0), cap)
        settlement.itemsTotal = explained(itemsTotal, "sum of line totals")
        settlement.outboundShipping = explained(0, "not computed")
        settlement.returnShippingFee = explained(0, "not computed")
        settlement.exchangeDifference = explained(exchangeTotal, "exchange lines")
        settlement.customerPaid = explained(paid, "payments for this case")
        settlement.totalRefundable = explained(refundable, "items + paid")
        settlement.refundableCap = explained(cap, "captured − refunded")
        settlement.refundTotal = explained(refundTotal, "min(max(total, 0), cap)")
        settlement.customerOwes = explained(max(-refundable, 0), "max(−total, 0)")
        var left = refundTotal
        for payment in order.payments where left > 0 {
            let remaining = (payment.captured?.minorUnits ?? 0) - (payment.refunded?.minorUnits ?? 0)
            guard remaining > 0 else { continue }
            let amount = min(remaining, left)
            left -= amount
            let toWallet = resolution == .storeCredit || payment.method == .storeCredit || payment.method == .cashOnDelivery
            settlement.allocations.append(OrderV1.PaymentAllocation(
                paymentID: payment.id, method: payment.method, remainingRefundable: money(remaining),
                destination: toWallet ? .storeCredit : .originalPayment, amount: money(amount), explanation: "in payment order"))
        }
        return settlement
    }
}
