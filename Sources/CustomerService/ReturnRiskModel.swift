import Foundation
import RPCShared

/// The return-abuse risk score: `score = clamp(round(Σ contribution), 0, 100)` with
/// `contribution = weight × normalised signal` (each normalised signal in 0…1), then the decision band.
/// Pure: the handler gathers ``Inputs`` from storage and the request.
///
/// Weights (the sum of all weights is 125, so a customer need not max out every signal to reach 100):
///
/// | Factor | Raw value | Normalisation | Weight |
/// |---|---|---|---|
/// | `inspection_mismatches` | inspections with a mismatch finding (all time) | min(v / 2, 1) | 30 |
/// | `return_rate` | units returned / units purchased | clamp((v − 8 %) / (40 % − 8 %), 0, 1); 0 when purchases are unknown | 25 |
/// | `recent_cases` | cases in the last 30 days, this one included | clamp((v − 1) / 4, 0, 1) | 20 |
/// | `case_value` | value of the requested units, minor units | min(v / high-value threshold of the currency, 1) | 15 |
/// | `refund_only_frequency` | refund-only cases in the last 180 days, this one included | min(v / 4, 1) | 15 |
/// | `account_age` | days since the account (or its first known order) began | clamp(1 − v / 90, 0, 1) | 10 |
/// | `missing_evidence` | 1 when a fault reason is claimed without photos/videos | v | 10 |
public enum ReturnRiskModel {
    public static let version = "return-risk-1"

    /// The platform's median unit return rate, the baseline `return_rate` is measured against.
    public static let platformReturnRate = 0.08
    /// The return rate that earns the full weight.
    public static let saturatedReturnRate = 0.40

    /// One row of the weights table.
    public struct Weight: Sendable, Hashable {
        public var name: String
        public var weight: Double
    }

    public static let inspectionMismatches = Weight(name: "inspection_mismatches", weight: 30)
    public static let returnRate = Weight(name: "return_rate", weight: 25)
    public static let recentCases = Weight(name: "recent_cases", weight: 20)
    public static let caseValue = Weight(name: "case_value", weight: 15)
    public static let refundOnlyFrequency = Weight(name: "refund_only_frequency", weight: 15)
    public static let accountAge = Weight(name: "account_age", weight: 10)
    public static let missingEvidence = Weight(name: "missing_evidence", weight: 10)

    /// Table order: ties in contribution keep this order.
    public static let weights = [inspectionMismatches, returnRate, recentCases, caseValue, refundOnlyFrequency,
                                 accountAge, missingEvidence]

    /// High-value thresholds in minor units per currency: a case at or above it earns the full `case_value`
    /// weight. Roughly the same purchasing power (≈ 400 EUR); other currencies use 40000 minor units.
    public static let highValueThresholds: [String: Int64] = [
        "EUR": 40_000, "USD": 40_000, "GBP": 35_000, "CHF": 40_000, "CNY": 300_000, "JPY": 60_000, "KRW": 550_000,
    ]
    public static let defaultHighValueThreshold: Int64 = 40_000

    /// Reasons that claim the merchant is at fault; claiming one without evidence is a signal.
    public static let faultReasons: Set<OrderV1.ReasonCode> = [.defective, .damagedInTransit, .notAsDescribed,
                                                                .wrongItem, .warrantyFault]

    /// The facts one assessment uses.
    public struct Inputs: Sendable, Hashable {
        public var kind: OrderV1.CaseKind = .returnRefund
        public var caseValue = CommonV1.Money(currency: "EUR", minorUnits: 0)
        public var reasons: [OrderV1.ReasonCode] = []
        public var hasEvidence = false
        /// 0 = unknown (the return-rate factor then scores nothing).
        public var unitsPurchased: Int64 = 0
        public var unitsReturned: Int64 = 0
        public var refundOnlyCasesLast180Days: Int64 = 0
        public var casesLast30Days: Int64 = 1
        public var inspectionMismatches: Int64 = 0
        public var accountAgeDays: Double = 365

        public init() {}
    }

    /// The scored outcome (the handler adds ids and timestamps).
    public struct Outcome: Sendable, Hashable {
        public var score: Int32
        public var decision: CustomerV1.RiskDecision
        public var factors: [CustomerV1.RiskFactor]
        public var summary: String
    }

    public static func assess(_ inputs: Inputs) -> Outcome {
        var factors: [CustomerV1.RiskFactor] = []
        func add(_ weight: Weight, value: Double, normalised: Double, _ explanation: String) {
            let clamped = min(max(normalised, 0), 1)
            // Rounded to 1/10000 of a point so that binary floating point (0.24 − 0.08 = 0.15999…) cannot tip
            // the rounding of the total: 12.5 points are 12.5, not 12.4999….
            let contribution = (weight.weight * clamped * 10_000).rounded() / 10_000
            factors.append(CustomerV1.RiskFactor(name: weight.name, value: value, weight: weight.weight,
                                                 contribution: contribution, explanation: explanation))
        }

        let mismatches = Double(inputs.inspectionMismatches)
        add(inspectionMismatches, value: mismatches, normalised: mismatches / 2,
            inputs.inspectionMismatches == 0 ? "No earlier inspection found a mismatch."
                : "\(inputs.inspectionMismatches) earlier inspection(s) found goods not matching the claim (2 or more score in full).")

        if inputs.unitsPurchased > 0 {
            let rate = Double(inputs.unitsReturned) / Double(inputs.unitsPurchased)
            add(returnRate, value: rate,
                normalised: (rate - platformReturnRate) / (saturatedReturnRate - platformReturnRate),
                "\(percent(rate)) of units returned (\(inputs.unitsReturned) of \(inputs.unitsPurchased)); platform median \(percent(platformReturnRate)).")
        } else {
            add(returnRate, value: 0, normalised: 0, "No purchase record is known for this customer, so the return rate is not scored.")
        }

        let recent = Double(inputs.casesLast30Days)
        add(recentCases, value: recent, normalised: (recent - 1) / 4,
            "\(inputs.casesLast30Days) case(s) in the last 30 days including this one (5 or more score in full).")

        let threshold = highValueThresholds[inputs.caseValue.currency] ?? defaultHighValueThreshold
        let value = Double(inputs.caseValue.minorUnits)
        add(caseValue, value: value, normalised: value / Double(threshold),
            "Case value \(MoneyFormat.text(inputs.caseValue)) against a high-value threshold of \(MoneyFormat.text(.init(currency: inputs.caseValue.currency, minorUnits: threshold))).")

        let refundOnly = Double(inputs.refundOnlyCasesLast180Days)
        add(refundOnlyFrequency, value: refundOnly, normalised: refundOnly / 4,
            "\(inputs.refundOnlyCasesLast180Days) refund-only case(s) in the last 180 days including this one (4 or more score in full).")

        let age = max(inputs.accountAgeDays, 0)
        add(accountAge, value: age, normalised: 1 - age / 90,
            "Account is \(Int(age.rounded(.down))) day(s) old (new accounts score more; 90 days or older score nothing).")

        let faultClaimed = inputs.reasons.contains { faultReasons.contains($0) }
        let missing = faultClaimed && !inputs.hasEvidence
        add(missingEvidence, value: missing ? 1 : 0, normalised: missing ? 1 : 0,
            !faultClaimed ? "No fault is claimed, so no evidence is needed."
                : missing ? "A fault is claimed without photos or videos." : "A fault is claimed and evidence is attached.")

        let order = Dictionary(uniqueKeysWithValues: weights.enumerated().map { ($1.name, $0) })
        factors.sort { a, b in
            a.contribution != b.contribution ? a.contribution > b.contribution : order[a.name, default: 0] < order[b.name, default: 0]
        }
        let total = factors.reduce(0) { $0 + $1.contribution }
        let score = Int32(min(max(total.rounded(.toNearestOrAwayFromZero), 0), 100))
        let decision = decision(for: score)
        let drivers = factors.filter { $0.contribution > 0 }.prefix(3)
            .map { "\($0.name) \(String(format: "%.1f", $0.contribution))" }
        let summary = "Score \(score) → \(decision.protoName ?? "UNSPECIFIED")"
            + (drivers.isEmpty ? ": no risk signal." : "; main factors: \(drivers.joined(separator: ", ")).")
        return Outcome(score: score, decision: decision, factors: factors, summary: summary)
    }

    /// The bands: < 30 AUTO_APPROVE, < 70 INSPECT_FIRST, otherwise MANUAL_REVIEW.
    public static func decision(for score: Int32) -> CustomerV1.RiskDecision {
        switch score {
        case ..<30: .autoApprove
        case ..<70: .inspectFirst
        default: .manualReview
        }
    }

    private static func percent(_ fraction: Double) -> String {
        String(format: "%.1f %%", fraction * 100)
    }
}

/// Money as text for explanations: `12.50 EUR`, `¥`-style currencies without decimals.
enum MoneyFormat {
    static let zeroDecimalCurrencies: Set<String> = ["JPY", "KRW", "VND", "CLP", "ISK"]

    static func text(_ money: CommonV1.Money) -> String {
        if zeroDecimalCurrencies.contains(money.currency) { return "\(money.minorUnits) \(money.currency)" }
        let sign = money.minorUnits < 0 ? "-" : ""
        let magnitude = money.minorUnits.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents) \(money.currency)"
    }
}
