import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// Running after-sale figures per product: units sold and returned (with reasons) and rating totals.
enum StatsStore {
    enum Change: Sendable {
        case sale(units: Int64)
        case returned(units: Int64, reason: OrderV1.ReasonCode)
        case rating(Int64)
    }

    /// Applies `change` to the product's figures and returns them.
    static func record(_ db: Database, productID: String, _ change: Change, now: Date) throws -> ProductV1.ProductStats {
        try db.execute(sql: "INSERT INTO product_stats (product_id, updated_at) VALUES (?, ?) ON CONFLICT(product_id) DO NOTHING",
                       arguments: [productID, now.epochMicros])
        switch change {
        case .sale(let units):
            try db.execute(sql: "UPDATE product_stats SET units_sold = units_sold + ?, updated_at = ? WHERE product_id = ?",
                           arguments: [units, now.epochMicros, productID])
        case .returned(let units, let reason):
            try db.execute(sql: "UPDATE product_stats SET units_returned = units_returned + ?, updated_at = ? WHERE product_id = ?",
                           arguments: [units, now.epochMicros, productID])
            try db.execute(sql: """
                INSERT INTO product_return_reason (product_id, reason, units) VALUES (?, ?, ?)
                ON CONFLICT(product_id, reason) DO UPDATE SET units = units + excluded.units
                """, arguments: [productID, reason.rawValue, units])
        case .rating(let rating):
            try db.execute(sql: """
                UPDATE product_stats SET rating_sum = rating_sum + ?, rating_count = rating_count + 1, updated_at = ?
                WHERE product_id = ?
                """, arguments: [rating, now.epochMicros, productID])
        }
        return try stats(db, productID: productID)
    }

    /// The product's figures (zeros before anything was recorded).
    static func stats(_ db: Database, productID: String) throws -> ProductV1.ProductStats {
        var stats = ProductV1.ProductStats(productID: productID)
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM product_stats WHERE product_id = ?", arguments: [productID]) else {
            return stats
        }
        stats.unitsSold = row["units_sold"]
        stats.unitsReturned = row["units_returned"]
        stats.returnRateBp = QualityScorer.returnRateBp(sold: stats.unitsSold, returned: stats.unitsReturned)
        let totals = QualityScorer.RatingTotals(sum: row["rating_sum"], count: row["rating_count"])
        stats.ratingCount = totals.count
        stats.averageRating = totals.mean
        stats.updatedAt = CommonV1.Timestamp(epochMicros: row["updated_at"])
        stats.topReasons = try Row.fetchAll(db, sql: """
            SELECT reason, units FROM product_return_reason WHERE product_id = ? AND units > 0
            ORDER BY units DESC, reason LIMIT 5
            """, arguments: [productID]).map {
            ProductV1.ReasonCount(reason: OrderV1.ReasonCode(rawValue: $0["reason"]), units: $0["units"])
        }
        return stats
    }

    /// Rating totals of one product.
    static func ratingTotals(_ db: Database, productID: String) throws -> QualityScorer.RatingTotals {
        let row = try Row.fetchOne(db, sql: "SELECT rating_sum, rating_count FROM product_stats WHERE product_id = ?",
                                   arguments: [productID])
        return QualityScorer.RatingTotals(sum: row?["rating_sum"] ?? 0, count: row?["rating_count"] ?? 0)
    }

    /// Rating totals of the products in `categoryID` (nil = every product).
    static func ratingTotals(_ db: Database, categoryID: String?) throws -> QualityScorer.RatingTotals {
        let row: Row?
        if let categoryID {
            row = try Row.fetchOne(db, sql: """
                SELECT COALESCE(SUM(s.rating_sum), 0) AS total, COALESCE(SUM(s.rating_count), 0) AS n
                FROM product_stats s JOIN product p ON p.id = s.product_id WHERE p.category_id = ?
                """, arguments: [categoryID])
        } else {
            row = try Row.fetchOne(db, sql: """
                SELECT COALESCE(SUM(rating_sum), 0) AS total, COALESCE(SUM(rating_count), 0) AS n FROM product_stats
                """)
        }
        return QualityScorer.RatingTotals(sum: row?["total"] ?? 0, count: row?["n"] ?? 0)
    }
}
