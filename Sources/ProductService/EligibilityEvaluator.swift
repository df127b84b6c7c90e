import Foundation
import RPCShared
import ServiceRuntime

/// The per-line eligibility verdict (docs/CONTRACT.md "Eligibility"). Pure: the caller resolves the SKU and the
/// effective policy; this decides.
///
/// Order of checks: unknown SKU → no policy → delivery → quantity → kind; then the first basis that applies
/// makes the line eligible: (1) statutory withdrawal / no-reason period, for any reason and even on final sale;
/// (2) the merchant window unless final sale; (3) for fault reasons (or a REPAIR_WARRANTY case, which needs it)
/// the warranty, limiting resolutions to REPAIR/REPLACEMENT. Blocking findings come first in the verdict.
public struct EligibilityEvaluator: Sendable {
    public let kind: OrderV1.CaseKind
    public let asOf: Date
    public let window: ReturnWindow

    /// Reasons that claim the merchant is at fault and so may fall back on the warranty.
    public static let faultReasons: Set<Int32> = [
        OrderV1.ReasonCode.defective.rawValue, OrderV1.ReasonCode.damagedInTransit.rawValue,
        OrderV1.ReasonCode.notAsDescribed.rawValue, OrderV1.ReasonCode.wrongItem.rawValue,
        OrderV1.ReasonCode.warrantyFault.rawValue,
    ]
    /// What a warranty basis can give.
    public static let warrantyResolutions: [OrderV1.Resolution] = [.repair, .replacement]
    /// What a refund-only case can give.
    static let moneyResolutions: [OrderV1.Resolution] = [.refund, .storeCredit]

    public init(kind: OrderV1.CaseKind, asOf: Date, window: ReturnWindow) {
        self.kind = kind
        self.asOf = asOf
        self.window = window
    }

    /// A right that could make the line eligible, and until when it runs.
    struct Basis {
        var reason: ProductV1.EligibilityReason
        var deadline: Date
        var resolutions: [OrderV1.Resolution]
        var message: String
    }

    /// The verdict for a line whose SKU is unknown to the catalogue.
    public func unknownSKU(_ line: ProductV1.EligibilityLine) -> ProductV1.LineVerdict {
        verdict(line, findings: [blocking(.unknownSKU, "SKU \(line.sku) is not in the catalogue")], policy: nil)
    }

    /// The verdict for `line` under `policy` (nil = no policy applies in the market).
    public func evaluate(_ line: ProductV1.EligibilityLine, policy: ProductV1.EffectivePolicy?) -> ProductV1.LineVerdict {
        guard let policy else {
            return verdict(line, findings: [blocking(.noPolicy, "No return policy applies to this product in this market")],
                           policy: nil)
        }
        var blockers: [ProductV1.EligibilityFinding] = []
        var informative: [ProductV1.EligibilityFinding] = []
        let deliveredAt = line.deliveredAt.map(\.date).flatMap { $0 <= asOf ? $0 : nil }
        let delivered = deliveredAt != nil && line.deliveredQuantity > 0

        // Quantity: what was delivered and is not yet returned or claimed.
        let remaining = max(0, Int(line.deliveredQuantity) - Int(line.returnedQuantity))
        var quantityBlocked = false
        if delivered {
            if remaining == 0 {
                quantityBlocked = true
                blockers.append(blocking(.quantityExceeded, "All \(line.deliveredQuantity) delivered units are already returned or claimed"))
            } else if Int(line.requestedQuantity) > remaining {
                quantityBlocked = true
                blockers.append(blocking(.quantityExceeded,
                                         "Requested \(line.requestedQuantity) but only \(remaining) of \(line.deliveredQuantity) delivered units can be returned"))
            }
        }
        if kind != .unspecified && !policy.allowedKinds.contains(kind) {
            blockers.append(blocking(.kindNotAllowed, "\(Self.label(kind)) cases are not offered for this product"))
        }

        var deadline: Date?
        var warrantyUntil: Date?
        var resolutions: [OrderV1.Resolution] = []
        if !delivered {
            if kind == .refundOnly {
                // Not received: a refund-only claim (e.g. lost parcel) needs no return window.
                informative.append(finding(.notDelivered, blocking: false, "Not delivered yet: a refund without a return can be requested"))
                resolutions = policy.allowedResolutions.filter(Self.moneyResolutions.contains)
            } else {
                blockers.append(blocking(.notDelivered, "The item has not been delivered yet"))
            }
        } else if let deliveredAt {
            let bases = applicableBases(policy, deliveredAt: deliveredAt, reason: line.reason)
            if bases.applicable.isEmpty {
                blockers.append(contentsOf: bases.failures)
            } else {
                informative.append(contentsOf: bases.applicable.map { finding($0.reason, blocking: false, $0.message) })
                deadline = bases.applicable.map(\.deadline).max()
                var allowed: [OrderV1.Resolution] = []
                for basis in bases.applicable {
                    for resolution in basis.resolutions where !allowed.contains(resolution) { allowed.append(resolution) }
                }
                resolutions = allowed
                if kind == .refundOnly { resolutions = resolutions.filter(Self.moneyResolutions.contains) }
            }
            if policy.warrantyMonths > 0 {
                warrantyUntil = window.warrantyEnd(deliveredAt: deliveredAt, months: Int(policy.warrantyMonths))
            }
        }
        let requested = line.requestedResolution
        if blockers.isEmpty || (blockers.count == 1 && quantityBlocked), requested != .unspecified,
           !resolutions.contains(requested) {
            let offered = resolutions.isEmpty ? "none" : resolutions.map(Self.label).joined(separator: ", ")
            blockers.append(blocking(.resolutionNotAllowed, "\(Self.label(requested)) is not available here (allowed: \(offered))"))
        }

        var result = verdict(line, findings: blockers + informative, policy: policy)
        result.allowedResolutions = blockers.isEmpty ? resolutions : []
        result.deadline = deadline.map(CommonV1.Timestamp.init)
        result.warrantyUntil = warrantyUntil.map(CommonV1.Timestamp.init)
        let onlyQuantity = blockers.count == 1 && quantityBlocked
        if blockers.isEmpty || onlyQuantity {
            result.eligibleQuantity = delivered ? Int32(remaining) : max(0, line.requestedQuantity)
        }
        result.summary = summary(blockers: blockers, informative: informative, deadline: deadline,
                                 quantity: Int(result.eligibleQuantity))
        return result
    }

    /// The rights that apply now, in the contract's order, and (when none does) why each failed.
    func applicableBases(_ policy: ProductV1.EffectivePolicy, deliveredAt: Date, reason: OrderV1.ReasonCode)
        -> (applicable: [Basis], failures: [ProductV1.EligibilityFinding]) {
        var applicable: [Basis] = []
        var failures: [ProductV1.EligibilityFinding] = []
        let all = policy.allowedResolutions
        let deliveredDay = window.format(deliveredAt)
        if kind != .repairWarranty {
            var statutoryEnded: [String] = []
            for (days, reason, name) in [
                (policy.withdrawalDays, ProductV1.EligibilityReason.withinWithdrawalPeriod, "withdrawal period"),
                (policy.noReasonReturnDays, .withinNoReasonPeriod, "no-reason return period"),
            ] where days > 0 {
                let end = window.deadline(deliveredAt: deliveredAt, days: Int(days))
                let text = "\(days)-day \(name) from delivery on \(deliveredDay)"
                if asOf < end {
                    applicable.append(Basis(reason: reason, deadline: end, resolutions: all,
                                            message: "Within the \(text), until the end of \(window.lastDay(beforeDeadline: end))"))
                } else {
                    statutoryEnded.append("the \(text) ended on \(window.lastDay(beforeDeadline: end))")
                }
            }
            if policy.finalSale {
                failures.append(blocking(.finalSale, "Final-sale item: no returns outside statutory periods"
                                         + (statutoryEnded.isEmpty ? "" : " (\(statutoryEnded.joined(separator: "; ")))")))
            } else if policy.windowDays > 0 {
                let end = window.deadline(deliveredAt: deliveredAt, days: Int(policy.windowDays))
                if asOf < end {
                    applicable.append(Basis(reason: .withinReturnWindow, deadline: end, resolutions: all,
                                            message: "Within the \(policy.windowDays)-day return window, until the end of \(window.lastDay(beforeDeadline: end))"))
                } else {
                    failures.append(blocking(.windowPassed, "Return window of \(policy.windowDays) days ended on \(window.lastDay(beforeDeadline: end))"))
                }
            } else if !statutoryEnded.isEmpty {
                failures.append(blocking(.windowPassed, "The " + statutoryEnded.joined(separator: "; ").dropFirst(4)))
            } else {
                failures.append(blocking(.windowPassed, "This product has no return window"))
            }
        }
        if !applicable.isEmpty { return (applicable, []) }
        if kind == .repairWarranty || Self.faultReasons.contains(reason.rawValue) {
            if policy.warrantyMonths > 0 {
                let end = window.warrantyEnd(deliveredAt: deliveredAt, months: Int(policy.warrantyMonths))
                if asOf < end {
                    let resolutions = all.filter(Self.warrantyResolutions.contains)
                    applicable.append(Basis(reason: .withinWarranty, deadline: end,
                                            resolutions: resolutions.isEmpty ? Self.warrantyResolutions : resolutions,
                                            message: "Within the \(policy.warrantyMonths)-month warranty, until the end of \(window.lastDay(beforeDeadline: end)): repair or replacement"))
                    return (applicable, [])
                }
                failures.append(blocking(.warrantyExpired, "The \(policy.warrantyMonths)-month warranty ended on \(window.lastDay(beforeDeadline: end))"))
            } else {
                failures.append(blocking(.warrantyExpired, "This product has no warranty"))
            }
        }
        return ([], failures)
    }

    private func verdict(_ line: ProductV1.EligibilityLine, findings: [ProductV1.EligibilityFinding],
                         policy: ProductV1.EffectivePolicy?) -> ProductV1.LineVerdict {
        var verdict = ProductV1.LineVerdict(orderLineID: line.orderLineID, sku: line.sku,
                                            eligible: !findings.contains(where: \.blocking), findings: findings)
        verdict.policy = policy
        if !verdict.eligible && verdict.summary.isEmpty {
            verdict.summary = summary(blockers: findings.filter(\.blocking), informative: [], deadline: nil, quantity: 0)
        }
        return verdict
    }

    private func summary(blockers: [ProductV1.EligibilityFinding], informative: [ProductV1.EligibilityFinding],
                         deadline: Date?, quantity: Int) -> String {
        if let first = blockers.first { return "Not eligible: \(first.message)." }
        guard let deadline else { return "Eligible for \(quantity) unit\(quantity == 1 ? "" : "s")." }
        return "Eligible for \(quantity) unit\(quantity == 1 ? "" : "s"): open a request by the end of \(window.lastDay(beforeDeadline: deadline)) (\(window.timeZone.identifier))."
    }

    private func blocking(_ reason: ProductV1.EligibilityReason, _ message: String) -> ProductV1.EligibilityFinding {
        finding(reason, blocking: true, message)
    }

    private func finding(_ reason: ProductV1.EligibilityReason, blocking: Bool, _ message: String) -> ProductV1.EligibilityFinding {
        ProductV1.EligibilityFinding(reason: reason, blocking: blocking, message: message)
    }

    /// REFUND for RESOLUTION_REFUND: short names for messages.
    static func label(_ value: some ProtoEnum) -> String {
        guard let name = value.protoName else { return "value \(value.rawValue)" }
        for prefix in ["RESOLUTION_", "CASE_KIND_"] where name.hasPrefix(prefix) { return String(name.dropFirst(prefix.count)) }
        return name
    }
}
