import Foundation
import RPCShared
import ServiceRuntime

/// Builds a customer's after-sale history, and the risk model's inputs, from what CustomerService records:
/// the case facts callers report with `AssessReturnRisk`, inspection outcomes from `RecordInspectionOutcome`,
/// and refunds paid into the wallet. Pure.
///
/// CustomerService does not call OrderService: purchase figures (`units_purchased`, `purchase_totals`, the orders
/// count and first order) come from the latest `PurchaseSummary` a caller reported with `AssessReturnRisk`; without
/// one they stay 0/empty, `orders_count` counts the orders that had an after-sale case and `return_rate_bp` is 0.
/// `refund_totals` covers refunds paid as store credit.
enum CustomerHistoryBuilder {
    static let microsPerDay: Int64 = 86_400_000_000

    /// Goods come back for every kind but refund-only.
    static func sendsGoodsBack(_ kind: OrderV1.CaseKind) -> Bool {
        kind == .returnRefund || kind == .exchange || kind == .repairWarranty
    }

    static func history(customerID: String, facts: [RiskStore.CaseFact], inspectionMismatches: Int64,
                        refundTotals: [CommonV1.Money], purchases: CustomerV1.PurchaseSummary? = nil) -> CustomerV1.CustomerHistory {
        let unitsPurchased = purchases?.unitsPurchased ?? 0
        let goodsBack = facts.filter { sendsGoodsBack($0.kind) }
        let unitsReturned = goodsBack.reduce(Int64(0)) { $0 + $1.units }
        var history = CustomerV1.CustomerHistory(
            customerID: customerID,
            ordersCount: max(Int64(Set(facts.map(\.orderID).filter { !$0.isEmpty }).count), purchases?.ordersCount ?? 0),
            casesCount: Int64(facts.count),
            returnsCount: Int64(goodsBack.count),
            refundOnlyCount: Int64(facts.filter { $0.kind == .refundOnly }.count),
            unitsPurchased: unitsPurchased,
            unitsReturned: unitsReturned,
            purchaseTotals: purchases?.purchaseTotals ?? [],
            refundTotals: refundTotals,
            inspectionMismatches: inspectionMismatches)
        if unitsPurchased > 0 {
            history.returnRateBp = Int32(clamping: MoneyMath.scale(10_000, by: min(unitsReturned, unitsPurchased), over: unitsPurchased))
        }
        let firstOrders = facts.compactMap(\.orderPlacedAt) + [purchases?.firstOrderAt?.epochMicros].compactMap { $0 }
        if let first = firstOrders.min() { history.firstOrderAt = .init(epochMicros: first) }
        if let last = facts.map(\.firstAssessedAt).max() { history.lastCaseAt = .init(epochMicros: last) }
        return history
    }

    /// The risk model's inputs for `request` (whose facts are already among `facts`).
    static func riskInputs(_ request: CustomerV1.AssessReturnRiskRequest, history: CustomerV1.CustomerHistory,
                           facts: [RiskStore.CaseFact], accountStart: Int64?, now: Int64) -> ReturnRiskModel.Inputs {
        var inputs = ReturnRiskModel.Inputs()
        inputs.kind = request.kind
        inputs.caseValue = request.caseValue ?? .init(currency: "EUR", minorUnits: 0)
        inputs.reasons = request.reasons
        inputs.hasEvidence = request.hasEvidence
        inputs.unitsPurchased = history.unitsPurchased
        inputs.unitsReturned = history.unitsReturned
        inputs.inspectionMismatches = history.inspectionMismatches
        inputs.casesLast30Days = Int64(facts.filter { $0.firstAssessedAt > now - 30 * microsPerDay }.count)
        inputs.refundOnlyCasesLast180Days = Int64(facts.filter {
            $0.kind == .refundOnly && $0.firstAssessedAt > now - 180 * microsPerDay
        }.count)
        let start = accountStart ?? now
        inputs.accountAgeDays = Double(max(now - start, 0) / microsPerDay)   // whole days
        return inputs
    }
}
