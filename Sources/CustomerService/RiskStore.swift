import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// What the risk model and the history learn from callers: the case facts each `AssessReturnRisk` reports
/// (one row per case, the latest facts win), the assessments themselves, and the inspection outcomes.
enum RiskStore {
    /// One case as CustomerService knows it.
    struct CaseFact: Sendable, Hashable {
        var caseID: String
        var orderID: String
        var kind: OrderV1.CaseKind
        var units: Int64
        var value: CommonV1.Money
        var orderPlacedAt: Int64?
        var firstAssessedAt: Int64
    }

    /// Records (or refreshes) a case's facts; the first assessment time stays, as "when the case was opened",
    /// and an order id or order date a later call leaves out is kept.
    static func upsertCaseFact(_ db: Database, customerID: String, _ request: CustomerV1.AssessReturnRiskRequest,
                               at now: Int64) throws {
        try db.execute(sql: """
            INSERT INTO case_fact (case_id, customer_id, order_id, kind, units, value_currency, value_minor,
                                   order_placed_at, first_assessed_at, last_assessed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(case_id) DO UPDATE SET
                order_id = CASE WHEN excluded.order_id = '' THEN order_id ELSE excluded.order_id END,
                kind = excluded.kind, units = excluded.units, value_currency = excluded.value_currency,
                value_minor = excluded.value_minor,
                order_placed_at = COALESCE(excluded.order_placed_at, order_placed_at),
                last_assessed_at = excluded.last_assessed_at
            """, arguments: [request.caseID, customerID, request.orderID, request.kind.rawValue, request.units,
                             request.caseValue?.currency ?? "", request.caseValue?.minorUnits ?? 0,
                             request.orderPlacedAt?.epochMicros, now, now])
    }

    /// Keeps the latest purchase summary a caller reported for the customer.
    static func upsertPurchases(_ db: Database, customerID: String, _ summary: CustomerV1.PurchaseSummary, at now: Int64) throws {
        try db.execute(sql: """
            INSERT INTO purchase_summary (customer_id, reported_at, first_order_at, summary) VALUES (?, ?, ?, ?)
            ON CONFLICT(customer_id) DO UPDATE SET reported_at = excluded.reported_at,
                first_order_at = excluded.first_order_at, summary = excluded.summary
            """, arguments: [customerID, now, summary.firstOrderAt?.epochMicros, Data(try summary.serializedBytes())])
    }

    /// The latest purchase summary reported for the customer, if any.
    static func purchases(_ db: Database, customerID: String) throws -> CustomerV1.PurchaseSummary? {
        guard let bytes = try Data.fetchOne(db, sql: "SELECT summary FROM purchase_summary WHERE customer_id = ?",
                                            arguments: [customerID]) else { return nil }
        return try bytes.withUnsafeBytes { try CustomerV1.PurchaseSummary(serializedBytes: $0) }
    }

    /// The customer that a case's facts belong to, if the case is known.
    static func caseOwner(_ db: Database, caseID: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT customer_id FROM case_fact WHERE case_id = ?", arguments: [caseID])
    }

    /// INVALID_ARGUMENT when the case is already known under another customer (a mix-up by the caller that
    /// would otherwise move one customer's signals to another).
    static func requireCaseOwner(_ db: Database, caseID: String, customerID: String) throws {
        if let owner = try caseOwner(db, caseID: caseID), owner != customerID {
            throw RPCError.invalidArgument("case_id", "belongs to another customer")
        }
    }

    static func caseFacts(_ db: Database, customerID: String) throws -> [CaseFact] {
        try Row.fetchAll(db, sql: "SELECT * FROM case_fact WHERE customer_id = ? ORDER BY first_assessed_at",
                         arguments: [customerID]).map { row in
            CaseFact(caseID: row["case_id"], orderID: row["order_id"], kind: .init(rawValue: row["kind"]),
                     units: row["units"], value: .init(currency: row["value_currency"], minorUnits: row["value_minor"]),
                     orderPlacedAt: row["order_placed_at"], firstAssessedAt: row["first_assessed_at"])
        }
    }

    static func insertAssessment(_ db: Database, _ assessment: CustomerV1.RiskAssessment) throws {
        try db.execute(sql: """
            INSERT INTO risk_assessment (id, customer_id, case_id, score, decision, assessed_at, record)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [assessment.id, assessment.customerID, assessment.caseID, assessment.score,
                             assessment.decision.rawValue, assessment.assessedAt?.epochMicros ?? 0,
                             Data(try assessment.serializedBytes())])
    }

    static func assessment(_ db: Database, id: String) throws -> CustomerV1.RiskAssessment? {
        try Data.fetchOne(db, sql: "SELECT record FROM risk_assessment WHERE id = ?", arguments: [id]).map(decodeAssessment)
    }

    /// The latest assessment of a case.
    static func latestAssessment(_ db: Database, caseID: String) throws -> CustomerV1.RiskAssessment? {
        try Data.fetchOne(db, sql: "SELECT record FROM risk_assessment WHERE case_id = ? ORDER BY assessed_at DESC, id DESC LIMIT 1",
                          arguments: [caseID]).map(decodeAssessment)
    }

    private static func decodeAssessment(_ bytes: Data) throws -> CustomerV1.RiskAssessment {
        try bytes.withUnsafeBytes { try CustomerV1.RiskAssessment(serializedBytes: $0) }
    }

    static func insertInspection(_ db: Database, _ outcome: CustomerV1.InspectionOutcome) throws {
        try db.execute(sql: """
            INSERT INTO inspection_outcome (id, customer_id, case_id, mismatch, units_inspected, units_rejected, recorded_at, record)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [outcome.id, outcome.customerID, outcome.caseID, outcome.mismatch, outcome.unitsInspected,
                             outcome.unitsRejected, outcome.recordedAt?.epochMicros ?? 0,
                             Data(try outcome.serializedBytes())])
    }

    /// Inspections of the customer that found a mismatch.
    static func mismatchCount(_ db: Database, customerID: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM inspection_outcome WHERE customer_id = ? AND mismatch = 1",
                           arguments: [customerID]) ?? 0
    }

    /// Store-credit refunds paid into the wallet (credits made with a `refund:` key), per currency.
    static func walletRefundTotals(_ db: Database, customerID: String) throws -> [CommonV1.Money] {
        try Row.fetchAll(db, sql: """
            SELECT currency, SUM(amount) AS total FROM wallet_entry
            WHERE customer_id = ? AND kind = 1 AND idempotency_key LIKE 'refund:%'
            GROUP BY currency ORDER BY currency
            """, arguments: [customerID]).map { CommonV1.Money(currency: $0["currency"], minorUnits: $0["total"]) }
    }
}
