import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// Feedback rows: the filterable fields as columns, the record as a BLOB.
enum FeedbackStore {
    static func insert(_ db: Database, _ feedback: CustomerV1.Feedback) throws {
        try db.execute(sql: """
            INSERT INTO feedback (id, customer_id, product_id, case_id, order_id, rating, sentiment, category, created_at, record)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [feedback.id, feedback.customerID, feedback.productID, feedback.caseID, feedback.orderID,
                             feedback.rating, feedback.sentiment?.label.rawValue ?? 0, feedback.category.rawValue,
                             feedback.createdAt?.epochMicros ?? 0, Data(try feedback.serializedBytes())])
    }

    /// Newest first, keyset-paged on (created_at, id), with the request's filters.
    static func page(_ db: Database, _ request: CustomerV1.ListFeedbackRequest, after cursor: PageCursor?,
                     limit: Int) throws -> [CustomerV1.Feedback] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        func add(_ condition: String, _ values: any DatabaseValueConvertible...) {
            conditions.append(condition)
            for value in values { arguments += [value] }
        }
        if !request.customerID.isEmpty { add("customer_id = ?", request.customerID) }
        if !request.productID.isEmpty { add("product_id = ?", request.productID) }
        if !request.caseID.isEmpty { add("case_id = ?", request.caseID) }
        if request.minRating > 0 { add("rating >= ?", request.minRating) }
        if request.maxRating > 0 { add("rating <= ?", request.maxRating) }
        if request.sentiment != .unspecified { add("sentiment = ?", request.sentiment.rawValue) }
        if request.category != .unspecified { add("category = ?", request.category.rawValue) }
        if let after = request.createdAfter { add("created_at >= ?", after.epochMicros) }
        if let before = request.createdBefore { add("created_at < ?", before.epochMicros) }
        if let cursor, let key = Int64(cursor.key) {
            add("(created_at < ? OR (created_at = ? AND id < ?))", key, key, cursor.id)
        }
        var sql = "SELECT record FROM feedback"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        arguments += [limit]
        return try Data.fetchAll(db, sql: sql, arguments: arguments).map { bytes in
            try bytes.withUnsafeBytes { try CustomerV1.Feedback(serializedBytes: $0) }
        }
    }
}
