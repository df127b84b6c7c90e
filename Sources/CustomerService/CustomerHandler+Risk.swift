import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// Return risk and the inspection outcomes that feed it.
extension CustomerHandler {
    static let maxUnits: Int32 = 100_000

    /// Findings that mean the goods did not match the claim (docs/CONTRACT.md "Mismatch findings").
    public static let mismatchFindings: Set<OrderV1.InspectionFinding> = [.emptyBox, .wrongItem, .serialMismatch,
                                                                           .usedOrWorn, .customerDamage, .missingParts]

    public func assessReturnRisk(_ request: CustomerV1.AssessReturnRiskRequest, context: ServerContext) async throws -> CustomerV1.RiskAssessment {
        var check = FieldValidator()
        check.identifier(request.customerID, "customer_id")
        check.identifier(request.caseID, "case_id")
        check.optionalIdentifier(request.orderID, "order_id")
        check.known(request.kind, "kind")
        check.money(request.caseValue, "case_value")
        check.range(request.units, 1...Self.maxUnits, "units")
        check.count(request.reasons, "reasons", max: 50)
        for (index, reason) in request.reasons.enumerated() { check.known(reason, "reasons[\(index)]") }
        check.timestamp(request.orderPlacedAt, "order_placed_at")
        check.timestamp(request.deliveredAt, "delivered_at")
        if let purchases = request.purchases {
            check.nonNegative(purchases.ordersCount, "purchases.orders_count")
            check.nonNegative(purchases.unitsPurchased, "purchases.units_purchased")
            check.count(purchases.purchaseTotals, "purchases.purchase_totals", max: 50)
            for (index, total) in purchases.purchaseTotals.enumerated() { check.money(total, "purchases.purchase_totals[\(index)]") }
            check.timestamp(purchases.firstOrderAt, "purchases.first_order_at")
        }
        try check.validate()

        let now = clock.now()
        return try await database.idempotent(request, context: context, clock: clock) { db in
            try CustomerStore.requireExists(db, id: request.customerID)
            try RiskStore.requireCaseOwner(db, caseID: request.caseID, customerID: request.customerID)
            try RiskStore.upsertCaseFact(db, customerID: request.customerID, request, at: now.epochMicros)
            if let purchases = request.purchases {
                try RiskStore.upsertPurchases(db, customerID: request.customerID, purchases, at: now.epochMicros)
            }
            let facts = try RiskStore.caseFacts(db, customerID: request.customerID)
            let history = try Self.history(db, customerID: request.customerID)
            let inputs = CustomerHistoryBuilder.riskInputs(
                request, history: history, facts: facts,
                accountStart: try CustomerStore.accountStart(db, id: request.customerID), now: now.epochMicros)
            let outcome = ReturnRiskModel.assess(inputs)
            let assessment = CustomerV1.RiskAssessment(
                id: Identifier.make("rsk", at: now), customerID: request.customerID, caseID: request.caseID,
                score: outcome.score, decision: outcome.decision, factors: outcome.factors, summary: outcome.summary,
                modelVersion: ReturnRiskModel.version, assessedAt: CommonV1.Timestamp(now))
            try RiskStore.insertAssessment(db, assessment)
            return assessment
        }
    }

    public func getRiskAssessment(_ request: CustomerV1.GetRiskAssessmentRequest, context: ServerContext) async throws -> CustomerV1.RiskAssessment {
        var check = FieldValidator()
        check.optionalIdentifier(request.assessmentID, "assessment_id")
        check.optionalIdentifier(request.caseID, "case_id")
        if request.assessmentID.isEmpty && request.caseID.isEmpty {
            check.fail("case_id", "assessment_id or case_id is required")
        }
        try check.validate()
        return try await database.read { db in
            if !request.assessmentID.isEmpty {
                guard let assessment = try RiskStore.assessment(db, id: request.assessmentID),
                      request.caseID.isEmpty || assessment.caseID == request.caseID else {
                    throw RPCError.notFound("risk-assessment", request.assessmentID)
                }
                return assessment
            }
            guard let latest = try RiskStore.latestAssessment(db, caseID: request.caseID) else {
                throw RPCError.notFound("risk-assessment", "case/\(request.caseID)")
            }
            return latest
        }
    }

    public func recordInspectionOutcome(_ request: CustomerV1.RecordInspectionOutcomeRequest, context: ServerContext) async throws -> CustomerV1.InspectionOutcome {
        var check = FieldValidator()
        check.identifier(request.customerID, "customer_id")
        check.identifier(request.caseID, "case_id")
        check.count(request.findings, "findings", required: true, max: 50)
        for (index, finding) in request.findings.enumerated() { check.known(finding, "findings[\(index)]") }
        check.range(request.unitsInspected, 1...Self.maxUnits, "units_inspected")
        check.nonNegative(request.unitsRejected, "units_rejected")
        if request.unitsRejected > request.unitsInspected { check.fail("units_rejected", "must not exceed units_inspected") }
        try check.validate()

        let now = clock.now()
        return try await database.idempotent(request, context: context, clock: clock) { db in
            try CustomerStore.requireExists(db, id: request.customerID)
            try RiskStore.requireCaseOwner(db, caseID: request.caseID, customerID: request.customerID)
            var outcome = CustomerV1.InspectionOutcome(
                id: Identifier.make("ins", at: now), customerID: request.customerID, caseID: request.caseID,
                findings: request.findings, mismatch: request.findings.contains { Self.mismatchFindings.contains($0) },
                unitsInspected: request.unitsInspected, unitsRejected: request.unitsRejected,
                recordedAt: CommonV1.Timestamp(now))
            try RiskStore.insertInspection(db, outcome)
            outcome.customerMismatchTotal = try RiskStore.mismatchCount(db, customerID: request.customerID)
            return outcome
        }
    }
}
