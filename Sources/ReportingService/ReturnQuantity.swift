import RPCShared

/// The units of a case line that count as returned in the return-rate report, given what is known so far:
/// while the case is under review, what the customer asked for; once reviewed, what was approved (0 declines a
/// line); once inspected, what was accepted. So the figure only ever narrows as the case advances.
enum ReturnQuantity {
    static func effective(_ line: OrderV1.CaseLine, caseStatus: OrderV1.CaseStatus) -> Int64 {
        let ledger = line.quantities ?? OrderV1.QuantityLedger()
        switch caseStatus {
        case .requested, .reopened:
            return Int64(max(ledger.requested, 0))
        default:
            if line.inspection != nil { return Int64(max(ledger.accepted, 0)) }
            return Int64(max(ledger.approved, 0))
        }
    }

    /// Case kinds whose units count as returns: goods (or money for them) going back. Warranty repairs are a
    /// service on a unit the customer keeps, so they are not returns.
    static let returnKinds: [OrderV1.CaseKind] = [.returnRefund, .refundOnly, .exchange]

    /// Statuses of cases that never turned into a return (REJECTED, CANCELED, EXPIRED).
    static let abandonedStatuses: [OrderV1.CaseStatus] = [.rejected, .canceled, .expired]
}
