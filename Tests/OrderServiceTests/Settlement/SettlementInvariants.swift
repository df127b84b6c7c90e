import RPCShared
@testable import OrderService

/// What must hold for every settlement, whatever the order: the figures add up the way the contract says.
enum SettlementInvariants {
    struct Violation: Error, CustomStringConvertible {
        var description: String
    }

    static func check(_ s: OrderV1.Settlement) throws {
        func require(_ condition: Bool, _ what: @autoclosure () -> String) throws {
            if !condition { throw Violation(description: what()) }
        }
        func value(_ money: OrderV1.ExplainedMoney?) -> Int64 { money?.amount?.minorUnits ?? 0 }

        for line in s.lines {
            let parts = [line.itemValue, line.orderDiscountShare, line.taxShare, line.restockingFee, line.replacementPrice]
            try require(parts.map(value).reduce(0, +) == value(line.lineTotal), "line_total ≠ Σ components for \(line.caseLineID)")
            try require(value(line.orderDiscountShare) <= 0, "positive order_discount_share")
            try require(value(line.restockingFee) <= 0, "positive restocking_fee")
            try require(value(line.replacementPrice) <= 0, "positive replacement_price")
            try require(value(line.taxShare) >= 0, "negative tax_share")
        }
        try require(s.lines.map { value($0.lineTotal) }.reduce(0, +) == value(s.itemsTotal), "items_total ≠ Σ line_total")
        let total = value(s.itemsTotal) + value(s.outboundShipping) + value(s.returnShippingFee) + value(s.customerPaid)
        try require(total == value(s.totalRefundable), "total_refundable ≠ its terms")
        try require(value(s.outboundShipping) >= 0 && value(s.returnShippingFee) <= 0 && value(s.customerPaid) >= 0,
                    "wrong sign on a case component")
        try require(value(s.refundTotal) == min(max(total, 0), value(s.refundableCap)), "refund_total ≠ min(max(total, 0), cap)")
        try require(value(s.customerOwes) == max(-total, 0), "customer_owes ≠ max(−total, 0)")
        let allocated = s.allocations.map { $0.amount?.minorUnits ?? 0 }
        try require(allocated.reduce(0, +) == value(s.refundTotal), "Σ allocations ≠ refund_total")
        try require(value(s.refundTotal) <= value(s.refundableCap), "refund above the cap")
        for allocation in s.allocations {
            let amount = allocation.amount?.minorUnits ?? 0
            try require(amount > 0, "allocation of \(amount) on \(allocation.paymentID)")
            try require(amount <= allocation.remainingRefundable?.minorUnits ?? 0, "allocation above the payment's balance")
            try require(allocation.destination != .unspecified, "allocation without destination")
        }
        try require(Set(s.allocations.map(\.paymentID)).count == s.allocations.count, "payment allocated twice")
    }
}
