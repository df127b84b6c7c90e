import RPCShared

/// How a return reason counts in the top-issues report. Case lines carry a `ReasonCode` chosen by the customer;
/// feedback carries an `IssueCategory` from the text classifier. Both are mapped onto `IssueCategory` so the two
/// sources add up in one ranking.
enum ReturnReasonIssue {
    static func category(for reason: OrderV1.ReasonCode) -> ProductV1.IssueCategory {
        switch reason {
        case .sizeFit: .sizeFit
        case .defective, .warrantyFault: .defect
        case .damagedInTransit: .damagedInTransit
        case .notAsDescribed: .notAsDescribed
        case .wrongItem: .wrongItem
        case .changedMind: .changedMind
        case .lateDelivery: .lateDelivery
        case .other: .other
        case .unspecified, .unrecognized: .unspecified
        }
    }
}
