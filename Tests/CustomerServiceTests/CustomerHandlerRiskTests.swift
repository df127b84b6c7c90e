import AfterSaleTestSupport
@testable import CustomerService
import Foundation
import GRDB
import RPCShared
import ServiceRuntime
import Testing

@Suite struct CustomerHandlerRiskTests {
    static func assessRequest(_ caseID: String, kind: OrderV1.CaseKind = .returnRefund, value: Int64 = 4_999,
                              units: Int32 = 1, reasons: [OrderV1.ReasonCode] = [.sizeFit], evidence: Bool = false,
                              orderID: String = "ord_1", placedAt: Date? = nil) -> CustomerV1.AssessReturnRiskRequest {
        CustomerV1.AssessReturnRiskRequest(
            customerID: "cus_anna", caseID: caseID, orderID: orderID, kind: kind,
            caseValue: .init(currency: "EUR", minorUnits: value), units: units, reasons: reasons,
            orderPlacedAt: placedAt.map(CommonV1.Timestamp.init), hasEvidence: evidence)
    }

    @Test func anAssessmentIsStoredAndExplainedAndFoundByCaseOrId() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            // An old customer (first order a year ago) with a small size/fit return: nothing to worry about.
            let quiet = try await fixture.client.assessReturnRisk(
                Self.assessRequest("case_1", placedAt: fixture.clock.now.addingTimeInterval(-365 * 86_400)), options: .mutating())
            #expect(quiet.decision == .autoApprove)
            #expect(quiet.modelVersion == ReturnRiskModel.version)
            #expect(quiet.factors.count == 7)
            #expect(quiet.factors.first { $0.name == "account_age" }?.contribution == 0)
            #expect(quiet.score == Int32(quiet.factors.reduce(0) { $0 + $1.contribution }.rounded()))

            let byCase = try await fixture.client.getRiskAssessment(.init(caseID: "case_1"))
            let byID = try await fixture.client.getRiskAssessment(.init(assessmentID: quiet.id))
            #expect(byCase == quiet && byID == quiet)

            // Re-assessing (e.g. on reopen) makes a new assessment; the case's latest is returned.
            fixture.clock.advance(seconds: 5)
            let again = try await fixture.client.assessReturnRisk(Self.assessRequest("case_1", reasons: [.defective]), options: .mutating())
            #expect(again.id != quiet.id)
            #expect(try await fixture.client.getRiskAssessment(.init(caseID: "case_1")) == again)
            #expect(try await fixture.client.getRiskAssessment(.init(assessmentID: quiet.id)) == quiet)
            let mismatch = await rpcError { _ = try await fixture.client.getRiskAssessment(.init(assessmentID: quiet.id, caseID: "case_9")) }
            #expect(mismatch?.code == .notFound)
        }
    }

    @Test func reportedPurchasesFeedTheReturnRateAndTheHistory() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            let unknown = try await fixture.client.assessReturnRisk(Self.assessRequest("case_1", units: 3), options: .mutating())
            #expect(unknown.factors.first { $0.name == "return_rate" }?.contribution == 0)

            // 3 of 6 purchased units come back: a 50 % return rate, past the 40 % ceiling, scores the full weight.
            var request = Self.assessRequest("case_2", units: 3)
            request.purchases = .init(ordersCount: 4, unitsPurchased: 6, purchaseTotals: [.init(currency: "EUR", minorUnits: 29_994)],
                                      firstOrderAt: .init(fixture.clock.now.addingTimeInterval(-400 * 86_400)))
            let scored = try await fixture.client.assessReturnRisk(request, options: .mutating())
            let returnRate = try #require(scored.factors.first { $0.name == "return_rate" })
            #expect(returnRate.contribution == Double(ReturnRiskModel.returnRate.weight))
            #expect(scored.factors.first { $0.name == "account_age" }?.contribution == 0)   // first order 400 days ago

            let history = try await fixture.client.getCustomerHistory(.init(customerID: "cus_anna"))
            #expect(history.unitsPurchased == 6 && history.ordersCount == 4)
            #expect(history.purchaseTotals == [.init(currency: "EUR", minorUnits: 29_994)])
            #expect(history.returnRateBp == 10_000)     // 6 units on two cases (3 + 3) of 6 purchased

            request.caseID = "case_3"
            request.purchases?.unitsPurchased = -1
            let refused = await rpcError { _ = try await fixture.client.assessReturnRisk(request, options: .mutating()) }
            #expect(refused?.code == .invalidArgument && refused?.message.contains("purchases.units_purchased") == true)
        }
    }

    @Test func inspectionMismatchesAndSerialCasesRaiseTheScoreToManualReview() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()   // a brand-new account: account_age scores 10
            let first = try await fixture.client.assessReturnRisk(Self.assessRequest("case_1"), options: .mutating())
            #expect(first.score == 12)   // account age 10 + case value 49.99/400 × 15 = 1.87

            let outcome = try await fixture.client.recordInspectionOutcome(
                .init(customerID: "cus_anna", caseID: "case_1", findings: [.emptyBox], unitsInspected: 1, unitsRejected: 1),
                options: .mutating(key: "inspection:case_1"))
            #expect(outcome.mismatch && outcome.customerMismatchTotal == 1)
            let clean = try await fixture.client.recordInspectionOutcome(
                .init(customerID: "cus_anna", caseID: "case_2", findings: [.asDescribed, .faultConfirmed], unitsInspected: 2),
                options: .mutating(key: "inspection:case_2"))
            #expect(!clean.mismatch && clean.customerMismatchTotal == 1)
            let second = try await fixture.client.recordInspectionOutcome(
                .init(customerID: "cus_anna", caseID: "case_3", findings: [.usedOrWorn], unitsInspected: 1, unitsRejected: 1),
                options: .mutating(key: "inspection:case_3"))
            #expect(second.customerMismatchTotal == 2)

            for index in 2...4 {
                _ = try await fixture.client.assessReturnRisk(Self.assessRequest("case_\(index)"), options: .mutating())
            }
            let fifth = try await fixture.client.assessReturnRisk(
                Self.assessRequest("case_5", kind: .refundOnly, reasons: [.defective]), options: .mutating())
            // mismatches 30 + recent cases (5) 20 + account age 10 + missing evidence 10 + refund-only 3.75 + value 1.87
            #expect(fifth.score == 76)
            #expect(fifth.decision == .manualReview)
            #expect(fifth.factors.first?.name == "inspection_mismatches")
            #expect(fifth.summary.contains("RISK_DECISION_MANUAL_REVIEW"))

            // A month later the burst of cases no longer counts as recent.
            fixture.clock.advance(days: 31)
            let later = try await fixture.client.assessReturnRisk(Self.assessRequest("case_6"), options: .mutating())
            #expect(later.factors.first { $0.name == "recent_cases" }?.value == 1)
            #expect(later.factors.first { $0.name == "refund_only_frequency" }?.value == 1)
        }
    }

    @Test func historyAggregatesCasesInspectionsAndStoreCreditRefunds() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            let placed = fixture.clock.now.addingTimeInterval(-100 * 86_400)
            _ = try await fixture.client.assessReturnRisk(Self.assessRequest("case_1", units: 2, placedAt: placed), options: .mutating())
            _ = try await fixture.client.assessReturnRisk(Self.assessRequest("case_2", kind: .refundOnly, units: 1, orderID: "ord_2"),
                                                          options: .mutating())
            _ = try await fixture.client.assessReturnRisk(Self.assessRequest("case_3", kind: .exchange, units: 1), options: .mutating())
            fixture.clock.advance(seconds: 30)
            let lastCase = try await fixture.client.assessReturnRisk(Self.assessRequest("case_4", kind: .repairWarranty, units: 3,
                                                                                          orderID: "ord_3"), options: .mutating())
            // Re-assessing a case refreshes its facts, it does not count twice.
            _ = try await fixture.client.assessReturnRisk(Self.assessRequest("case_1", units: 2, placedAt: placed), options: .mutating())
            _ = try await fixture.client.recordInspectionOutcome(
                .init(customerID: "cus_anna", caseID: "case_1", findings: [.wrongItem], unitsInspected: 2, unitsRejected: 2),
                options: .mutating())
            try await fixture.credit(3_650, key: "refund:ref_1")
            try await fixture.credit(1_000, key: "goodwill-1")

            let history = try await fixture.client.getCustomerHistory(.init(customerID: "cus_anna"))
            #expect(history.customerID == "cus_anna")
            #expect(history.casesCount == 4)
            #expect(history.ordersCount == 3)
            #expect(history.returnsCount == 3)
            #expect(history.refundOnlyCount == 1)
            #expect(history.unitsReturned == 6)
            #expect(history.unitsPurchased == 0 && history.returnRateBp == 0)
            #expect(history.inspectionMismatches == 1)
            #expect(history.refundTotals == [.init(currency: "EUR", minorUnits: 3_650)])
            #expect(history.firstOrderAt == CommonV1.Timestamp(placed))
            #expect(history.lastCaseAt == lastCase.assessedAt)

            // The reported first order makes the account 100 days old: no account-age points.
            let assessed = try await fixture.client.getRiskAssessment(.init(caseID: "case_1"))
            #expect(assessed.factors.first { $0.name == "account_age" }?.value == 100)
        }
    }

    @Test func aCaseCannotMoveBetweenCustomers() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            try await fixture.createCustomer("cus_bob")
            _ = try await fixture.client.assessReturnRisk(Self.assessRequest("case_1"), options: .mutating())
            var bobs = Self.assessRequest("case_1")
            bobs.customerID = "cus_bob"
            let error = await rpcError { _ = try await fixture.client.assessReturnRisk(bobs, options: .mutating()) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("case_id") == true)
            let inspection = await rpcError {
                _ = try await fixture.client.recordInspectionOutcome(
                    .init(customerID: "cus_bob", caseID: "case_1", findings: [.emptyBox], unitsInspected: 1), options: .mutating())
            }
            #expect(inspection?.code == .invalidArgument)
            #expect(try await fixture.client.getCustomerHistory(.init(customerID: "cus_bob")).casesCount == 0)
        }
    }
}
