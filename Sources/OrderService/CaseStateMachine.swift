import RPCShared
import ServiceRuntime

/// A command that may move a case to another status (docs/CONTRACT.md "Case state machine").
public enum CaseAction: String, Sendable, CaseIterable {
    case approve, reject, cancel, attachReturnShipment, attachReplacementShipment, markShipped, recordReceipt,
         inspect, resolve, close, expire, reopen

    /// The timeline event this action writes.
    public var eventType: OrderV1.CaseEventType {
        switch self {
        case .approve: .approved
        case .reject: .rejected
        case .cancel: .canceled
        case .attachReturnShipment, .attachReplacementShipment: .shipmentAttached
        case .markShipped: .shipped
        case .recordReceipt: .received
        case .inspect: .inspected
        case .resolve: .resolved
        case .close: .closed
        case .expire: .expired
        case .reopen: .reopened
        }
    }
}

/// What, besides its status, decides whether a case may take an action.
public struct CaseFacts: Sendable, Hashable {
    public var kind: OrderV1.CaseKind
    public var instantRefund: Bool
    /// Units received over all lines (cancel is allowed only while nothing was received).
    public var unitsReceived: Int

    public init(kind: OrderV1.CaseKind, instantRefund: Bool = false, unitsReceived: Int = 0) {
        self.kind = kind
        self.instantRefund = instantRefund
        self.unitsReceived = unitsReceived
    }

    /// Whether goods travel back to the merchant (everything but refund-only).
    public var goodsComeBack: Bool { kind != .refundOnly }
}

/// The case state machine: which action is allowed from which status, and where it leads. Pure: no storage, no
/// clock. Guards that need more than the case itself (refunds outstanding, the ledger, expiry dates) are checked
/// by the caller; everything decidable from the status, kind and flags is here so the table test covers it.
public enum CaseStateMachine {
    /// Statuses only ReopenCase and CloseCase leave.
    public static let terminalish: Set<OrderV1.CaseStatus> = [.rejected, .canceled, .expired, .closed]

    /// Statuses whose units count as "on an open case" in the ledger (unless the case was already settled).
    public static let holdsUnits: Set<OrderV1.CaseStatus> = [.requested, .reopened, .approved, .awaitingShipment,
                                                             .inTransit, .received, .inspected]

    /// The status `action` leads to from `status`, or nil when the contract forbids it.
    public static func target(of action: CaseAction, from status: OrderV1.CaseStatus,
                              facts: CaseFacts) -> OrderV1.CaseStatus? {
        switch action {
        case .approve:
            return [.requested, .reopened].contains(status) ? .approved : nil
        case .reject:
            return [.requested, .reopened].contains(status) ? .rejected : nil
        case .cancel:
            guard facts.unitsReceived == 0 else { return nil }
            return [.requested, .reopened, .approved, .awaitingShipment, .inTransit].contains(status) ? .canceled : nil
        case .attachReturnShipment:
            return facts.goodsComeBack && status == .approved ? .awaitingShipment : nil
        case .attachReplacementShipment:
            return terminalish.contains(status) || !isKnown(status) ? nil : status
        case .markShipped:
            return facts.goodsComeBack && [.approved, .awaitingShipment].contains(status) ? .inTransit : nil
        case .recordReceipt:
            guard facts.goodsComeBack else { return nil }
            if [.approved, .awaitingShipment, .inTransit, .received].contains(status) { return .received }
            return status == .resolved && facts.instantRefund ? .resolved : nil
        case .inspect:
            guard facts.goodsComeBack else { return nil }
            if status == .received { return .inspected }
            return status == .resolved && facts.instantRefund ? .resolved : nil
        case .resolve:
            switch status {
            case .inspected: return .resolved
            case .approved: return facts.kind == .refundOnly ? .resolved : nil
            case .inTransit, .received: return facts.instantRefund && facts.goodsComeBack ? .resolved : nil
            default: return nil
            }
        case .close:
            return [.resolved, .rejected, .canceled, .expired].contains(status) ? .closed : nil
        case .expire:
            return [.approved, .awaitingShipment].contains(status) ? .expired : nil
        case .reopen:
            return [.closed, .rejected, .expired].contains(status) ? .reopened : nil
        }
    }

    /// As ``target(of:from:facts:)``, failing with FAILED_PRECONDITION `CASE_TRANSITION_FORBIDDEN` naming the
    /// statuses the action is allowed from.
    public static func transition(_ action: CaseAction, from status: OrderV1.CaseStatus, facts: CaseFacts,
                                  caseID: String) throws -> OrderV1.CaseStatus {
        if let next = target(of: action, from: status, facts: facts) { return next }
        let allowed = OrderV1.CaseStatus.allCases.filter { target(of: action, from: $0, facts: facts) != nil }
        var message = "cannot \(action.phrase) case \(caseID) in status \(status.label)"
        if allowed.isEmpty {
            message += " (not possible for a \(facts.kind.label) case\(facts.unitsReceived > 0 ? " with received units" : ""))"
        } else {
            message += "; allowed from \(allowed.map(\.label).joined(separator: ", "))"
            if action == .cancel && facts.unitsReceived > 0 { message += " while nothing was received" }
        }
        throw RPCError.failedPrecondition("CASE_TRANSITION_FORBIDDEN", message, resource: "case/\(caseID)",
                                          metadata: ["status": status.label, "action": action.rawValue])
    }

    static func isKnown(_ status: OrderV1.CaseStatus) -> Bool {
        status != .unspecified && status.protoName != nil
    }
}

extension CaseAction {
    var phrase: String {
        switch self {
        case .attachReturnShipment: "attach a return shipment to"
        case .attachReplacementShipment: "attach a replacement shipment to"
        case .markShipped: "mark shipped"
        case .recordReceipt: "record a receipt on"
        default: rawValue
        }
    }
}

extension ProtoEnum {
    /// The proto name without its enum prefix ("REQUESTED" for CASE_STATUS_REQUESTED), for messages.
    var label: String {
        guard let name = protoName else { return "\(rawValue)" }
        let prefixes = ["CASE_STATUS_", "CASE_KIND_", "RESOLUTION_", "REFUND_STATUS_", "REFUND_DESTINATION_",
                        "PAYMENT_METHOD_", "CASE_EVENT_TYPE_", "QUANTITY_BASIS_"]
        for prefix in prefixes where name.hasPrefix(prefix) { return String(name.dropFirst(prefix.count)) }
        return name
    }
}
