import Foundation
import RPCShared

/// Draws a refund from the order's payments: each payment gives at most what is still refundable on it
/// (captured − refunded), real money first (card, digital wallet, bank transfer, in capture order), then cash
/// on delivery, then store credit and gift cards; methods this version does not know come last. Refunding
/// cash first is what customers expect and keeps store credit, which is the merchant's own money, for last.
enum PaymentAllocator {
    /// Where the money goes.
    enum Mode: Sendable, Equatable {
        /// RESOLUTION_REFUND: back through each payment — except store credit and cash on delivery, which
        /// can only go to the store-credit wallet.
        case originalPayments
        /// RESOLUTION_STORE_CREDIT: everything to the wallet, with an optional expiry.
        case storeCredit(expiresAt: CommonV1.Timestamp?)
    }

    /// The allocations (non-zero amounts only) whose amounts add up to `total`; `total` must not exceed the sum
    /// of the remaining balances (the calculator caps it first).
    static func allocate(_ total: Int64, from payments: [SettlementInput.Payment], mode: Mode,
                         currency: String) -> [OrderV1.PaymentAllocation] {
        let ordered = payments.filter { $0.remaining > 0 }.sorted(by: drawnBefore)
        var left = total
        var allocations: [OrderV1.PaymentAllocation] = []
        for (position, payment) in ordered.enumerated() where left > 0 {
            let amount = min(left, payment.remaining)
            left -= amount
            let destination = destination(of: payment.method, mode: mode)
            let later = Set(ordered[(position + 1)...].filter { rank($0.method) > rank(payment.method) }
                .map { name(of: $0.method) })
            var explanation = ""
            if !later.isEmpty {
                explanation = "\(name(of: payment.method)) before \(later.sorted().joined(separator: " and ")): "
            }
            explanation += "\(OrderV1.ExplainedMoney.format(amount, currency)) of "
                + "\(OrderV1.ExplainedMoney.format(payment.remaining, currency)) refundable, "
                + phrase(for: payment.method, destination: destination, mode: mode)
            allocations.append(OrderV1.PaymentAllocation(
                paymentID: payment.id, method: payment.method,
                remainingRefundable: CommonV1.Money(currency: currency, minorUnits: payment.remaining),
                destination: destination, amount: CommonV1.Money(currency: currency, minorUnits: amount),
                explanation: explanation))
        }
        return allocations
    }

    /// Draw order: method rank, then capture time (unknown times last), then position in the order.
    static func drawnBefore(_ a: SettlementInput.Payment, _ b: SettlementInput.Payment) -> Bool {
        let (rankA, rankB) = (rank(a.method), rank(b.method))
        if rankA != rankB { return rankA < rankB }
        let (timeA, timeB) = (a.capturedAt ?? .max, b.capturedAt ?? .max)
        if timeA != timeB { return timeA < timeB }
        return a.index < b.index
    }

    static func rank(_ method: OrderV1.PaymentMethod) -> Int {
        switch method {
        case .card, .digitalWallet, .bankTransfer: return 0
        case .cashOnDelivery: return 1
        case .storeCredit, .giftCard: return 2
        default: return 3
        }
    }

    static func destination(of method: OrderV1.PaymentMethod, mode: Mode) -> OrderV1.RefundDestination {
        switch (mode, method) {
        case (.storeCredit, _), (.originalPayments, .storeCredit), (.originalPayments, .cashOnDelivery):
            return .storeCredit
        default:
            return .originalPayment
        }
    }

    static func name(of method: OrderV1.PaymentMethod) -> String {
        switch method {
        case .card: return "card"
        case .digitalWallet: return "digital wallet"
        case .storeCredit: return "store credit"
        case .giftCard: return "gift card"
        case .bankTransfer: return "bank transfer"
        case .cashOnDelivery: return "cash on delivery"
        default: return "payment of unknown method"
        }
    }

    private static func phrase(for method: OrderV1.PaymentMethod, destination: OrderV1.RefundDestination,
                               mode: Mode) -> String {
        if case .storeCredit(let expiresAt) = mode {
            guard let expiresAt, let text = RFC3339.format(seconds: expiresAt.seconds, nanos: expiresAt.nanos) else {
                return "as store credit"
            }
            return "as store credit expiring \(text)"
        }
        switch method {
        case .storeCredit: return "back to the store-credit wallet"
        case .cashOnDelivery: return "to the store-credit wallet (cash on delivery has no payment to refund to)"
        case .bankTransfer: return "back to the bank account"
        default: return destination == .originalPayment ? "back to the \(name(of: method))" : "to the store-credit wallet"
        }
    }
}
