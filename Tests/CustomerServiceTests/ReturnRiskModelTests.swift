@testable import CustomerService
import RPCShared
import Testing

@Suite struct ReturnRiskModelTests {
    /// One signal changed from a customer with no risk at all; the factor's expected contribution.
    struct FactorCase: Sendable, CustomTestStringConvertible {
        var factor: String
        var label: String
        var change: @Sendable (inout ReturnRiskModel.Inputs) -> Void
        var contribution: Double
        var testDescription: String { "\(factor): \(label) → \(contribution)" }
    }

    static func quiet() -> ReturnRiskModel.Inputs {
        var inputs = ReturnRiskModel.Inputs()
        inputs.accountAgeDays = 365
        inputs.casesLast30Days = 1
        return inputs
    }

    static let factorCases: [FactorCase] = [
        .init(factor: "inspection_mismatches", label: "0", change: { $0.inspectionMismatches = 0 }, contribution: 0),
        .init(factor: "inspection_mismatches", label: "1", change: { $0.inspectionMismatches = 1 }, contribution: 15),
        .init(factor: "inspection_mismatches", label: "2", change: { $0.inspectionMismatches = 2 }, contribution: 30),
        .init(factor: "inspection_mismatches", label: "5 saturates", change: { $0.inspectionMismatches = 5 }, contribution: 30),
        .init(factor: "return_rate", label: "purchases unknown", change: { $0.unitsReturned = 50 }, contribution: 0),
        .init(factor: "return_rate", label: "8 % = platform", change: { $0.unitsPurchased = 100; $0.unitsReturned = 8 }, contribution: 0),
        .init(factor: "return_rate", label: "2 % below platform", change: { $0.unitsPurchased = 100; $0.unitsReturned = 2 }, contribution: 0),
        .init(factor: "return_rate", label: "24 %", change: { $0.unitsPurchased = 100; $0.unitsReturned = 24 }, contribution: 12.5),
        .init(factor: "return_rate", label: "40 %", change: { $0.unitsPurchased = 100; $0.unitsReturned = 40 }, contribution: 25),
        .init(factor: "return_rate", label: "90 % saturates", change: { $0.unitsPurchased = 100; $0.unitsReturned = 90 }, contribution: 25),
        .init(factor: "recent_cases", label: "1", change: { $0.casesLast30Days = 1 }, contribution: 0),
        .init(factor: "recent_cases", label: "3", change: { $0.casesLast30Days = 3 }, contribution: 10),
        .init(factor: "recent_cases", label: "5", change: { $0.casesLast30Days = 5 }, contribution: 20),
        .init(factor: "recent_cases", label: "9 saturates", change: { $0.casesLast30Days = 9 }, contribution: 20),
        .init(factor: "case_value", label: "EUR 200.00", change: { $0.caseValue = .init(currency: "EUR", minorUnits: 20_000) }, contribution: 7.5),
        .init(factor: "case_value", label: "EUR 400.00", change: { $0.caseValue = .init(currency: "EUR", minorUnits: 40_000) }, contribution: 15),
        .init(factor: "case_value", label: "EUR 4000.00 saturates", change: { $0.caseValue = .init(currency: "EUR", minorUnits: 400_000) }, contribution: 15),
        .init(factor: "case_value", label: "CNY 1500.00", change: { $0.caseValue = .init(currency: "CNY", minorUnits: 150_000) }, contribution: 7.5),
        .init(factor: "case_value", label: "JPY 60000", change: { $0.caseValue = .init(currency: "JPY", minorUnits: 60_000) }, contribution: 15),
        .init(factor: "case_value", label: "unlisted currency", change: { $0.caseValue = .init(currency: "SEK", minorUnits: 20_000) }, contribution: 7.5),
        .init(factor: "refund_only_frequency", label: "1", change: { $0.refundOnlyCasesLast180Days = 1 }, contribution: 3.75),
        .init(factor: "refund_only_frequency", label: "2", change: { $0.refundOnlyCasesLast180Days = 2 }, contribution: 7.5),
        .init(factor: "refund_only_frequency", label: "6 saturates", change: { $0.refundOnlyCasesLast180Days = 6 }, contribution: 15),
        .init(factor: "account_age", label: "0 days", change: { $0.accountAgeDays = 0 }, contribution: 10),
        .init(factor: "account_age", label: "45 days", change: { $0.accountAgeDays = 45 }, contribution: 5),
        .init(factor: "account_age", label: "90 days", change: { $0.accountAgeDays = 90 }, contribution: 0),
        .init(factor: "missing_evidence", label: "defective, no evidence", change: { $0.reasons = [.defective] }, contribution: 10),
        .init(factor: "missing_evidence", label: "damaged, with evidence", change: { $0.reasons = [.damagedInTransit]; $0.hasEvidence = true }, contribution: 0),
        .init(factor: "missing_evidence", label: "size/fit needs none", change: { $0.reasons = [.sizeFit, .changedMind] }, contribution: 0),
    ]

    @Test(arguments: factorCases)
    func eachFactorContributesItsWeightTimesTheNormalisedSignal(_ testCase: FactorCase) throws {
        var inputs = Self.quiet()
        testCase.change(&inputs)
        let outcome = ReturnRiskModel.assess(inputs)
        let factor = try #require(outcome.factors.first { $0.name == testCase.factor })
        #expect(abs(factor.contribution - testCase.contribution) < 1e-9)
        #expect(factor.weight == ReturnRiskModel.weights.first { $0.name == testCase.factor }?.weight)
        #expect(!factor.explanation.isEmpty && factor.explanation.hasSuffix("."))
        // Nothing else moved: the score is this factor alone.
        #expect(outcome.score == Int32(testCase.contribution.rounded(.toNearestOrAwayFromZero)))
    }

    @Test(arguments: [(Int32(0), CustomerV1.RiskDecision.autoApprove), (29, .autoApprove), (30, .inspectFirst),
                      (69, .inspectFirst), (70, .manualReview), (100, .manualReview)])
    func decisionBands(_ score: Int32, _ decision: CustomerV1.RiskDecision) {
        #expect(ReturnRiskModel.decision(for: score) == decision)
    }

    /// Real factor combinations that land exactly on each side of both band edges.
    @Test(arguments: [
        (Double(54), Int64(1), Int64(1), true, Int32(29), CustomerV1.RiskDecision.autoApprove),  // 15 + 10 + 4
        (45, 1, 1, true, 30, .inspectFirst),                                                       // 15 + 10 + 5
        (9, 2, 5, true, 69, .inspectFirst),                                                        // 30 + 20 + 10 + 9
        (0, 2, 5, true, 70, .manualReview),                                                        // 30 + 20 + 10 + 10
    ])
    func bandEdgesFromRealInputs(_ ageDays: Double, _ mismatches: Int64, _ recentCases: Int64, _ faultWithoutEvidence: Bool,
                                 _ score: Int32, _ decision: CustomerV1.RiskDecision) {
        var inputs = Self.quiet()
        inputs.accountAgeDays = ageDays
        inputs.inspectionMismatches = mismatches
        inputs.casesLast30Days = recentCases
        inputs.reasons = faultWithoutEvidence ? [.defective] : []
        let outcome = ReturnRiskModel.assess(inputs)
        #expect(outcome.score == score)
        #expect(outcome.decision == decision)
    }

    @Test func theScoreIsClampedTo100AndFactorsAreSortedByContribution() {
        var inputs = ReturnRiskModel.Inputs()
        inputs.inspectionMismatches = 3
        inputs.unitsPurchased = 10
        inputs.unitsReturned = 10
        inputs.casesLast30Days = 8
        inputs.caseValue = .init(currency: "EUR", minorUnits: 100_000)
        inputs.refundOnlyCasesLast180Days = 5
        inputs.accountAgeDays = 0
        inputs.reasons = [.notAsDescribed]
        let outcome = ReturnRiskModel.assess(inputs)
        #expect(outcome.score == 100)
        #expect(outcome.decision == .manualReview)
        #expect(outcome.factors.count == ReturnRiskModel.weights.count)
        #expect(zip(outcome.factors, outcome.factors.dropFirst()).allSatisfy { $0.contribution >= $1.contribution })
        #expect(outcome.summary.hasPrefix("Score 100 → RISK_DECISION_MANUAL_REVIEW; main factors: inspection_mismatches 30.0"))
    }

    @Test func aQuietCustomerIsAutoApprovedWithAllFactorsExplained() {
        let outcome = ReturnRiskModel.assess(Self.quiet())
        #expect(outcome.score == 0)
        #expect(outcome.decision == .autoApprove)
        #expect(Set(outcome.factors.map(\.name)) == Set(ReturnRiskModel.weights.map(\.name)))
        #expect(outcome.summary == "Score 0 → RISK_DECISION_AUTO_APPROVE: no risk signal.")
    }
}
