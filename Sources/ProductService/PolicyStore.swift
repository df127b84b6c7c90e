import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// Return policies (full record as protobuf, scope columns for lookups).
enum PolicyStore {
    static func policy(_ db: Database, id: String) throws -> ProductV1.ReturnPolicy? {
        try Row.fetchOne(db, sql: "SELECT record FROM return_policy WHERE id = ?", arguments: [id])
            .map { try StoredRecord.decode($0, as: ProductV1.ReturnPolicy.self) }
    }

    /// Creates or replaces a policy; its scope target (category or product) must exist.
    static func upsert(_ db: Database, _ input: ProductV1.ReturnPolicy, expectedVersion: Int64, updatedBy: String,
                       now: Date) throws -> ProductV1.ReturnPolicy {
        var policy = input
        if policy.id.isEmpty { policy.id = Identifier.make("pol", at: now) }
        let existing = try self.policy(db, id: policy.id)
        try RPCError.checkVersion("policy", policy.id, expected: expectedVersion, current: existing?.version ?? 0)
        switch policy.scope {
        case .category:
            guard try CatalogueStore.category(db, id: policy.categoryID) != nil else {
                throw RPCError.notFound("category", policy.categoryID)
            }
        case .product:
            guard try CatalogueStore.product(db, id: policy.productID) != nil else {
                throw RPCError.notFound("product", policy.productID)
            }
        default: break
        }
        policy.version = (existing?.version ?? 0) + 1
        policy.updatedAt = CommonV1.Timestamp(now)
        policy.updatedBy = updatedBy
        try db.execute(sql: """
            INSERT INTO return_policy (id, market, scope, category_id, product_id, active, version, created_at, updated_at, record)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET market = excluded.market, scope = excluded.scope,
                category_id = excluded.category_id, product_id = excluded.product_id, active = excluded.active,
                version = excluded.version, updated_at = excluded.updated_at, record = excluded.record
            """, arguments: [policy.id, policy.market, policy.scope.rawValue, policy.categoryID, policy.productID,
                             policy.active, policy.version, now.epochMicros, now.epochMicros,
                             try StoredRecord.encode(policy)])
        return policy
    }

    /// Active policies of `market` that could apply to a product in `categoryIDs` or to `productID`.
    static func candidates(_ db: Database, market: String, productID: String, categoryIDs: [String]) throws -> [ProductV1.ReturnPolicy] {
        let categories = categoryIDs.isEmpty ? [""] : categoryIDs
        return try Row.fetchAll(db, sql: """
            SELECT record FROM return_policy
            WHERE market = ? AND active = 1 AND (scope = ? OR (scope = ? AND category_id IN (\(databaseQuestionMarks(count: categories.count)))) OR (scope = ? AND product_id = ?))
            """, arguments: [market, ProductV1.PolicyScope.market.rawValue, ProductV1.PolicyScope.category.rawValue]
                + StatementArguments(categories) + [ProductV1.PolicyScope.product.rawValue, productID])
            .map { try StoredRecord.decode($0, as: ProductV1.ReturnPolicy.self) }
    }

    /// The effective policy of `product` in `market` on `date` (the market's local calendar), nil when none applies.
    static func effective(_ db: Database, market: String, product: ProductV1.Product,
                          localDate: (year: Int, month: Int, day: Int)) throws -> ProductV1.EffectivePolicy? {
        let chain = Array(try CatalogueStore.ancestors(db, of: product.categoryID).reversed())
        let candidates = try candidates(db, market: market, productID: product.id, categoryIDs: chain)
        let applicable = PolicyMerger.applicable(candidates, market: market, productID: product.id,
                                                 categoryChain: chain, localDate: localDate)
        guard !applicable.isEmpty else { return nil }
        return PolicyMerger.merge(applicable, market: market, productID: product.id, categoryID: product.categoryID)
    }

    struct Filter: Sendable {
        var market = ""
        var scope: ProductV1.PolicyScope = .unspecified
        var categoryID = ""
        var productID = ""
        var includeInactive = false
    }

    static func list(_ db: Database, filter: Filter, cursor: PageCursor?, limit: Int) throws -> [(ProductV1.ReturnPolicy, Int64)] {
        let after = StoredRecord.before(cursor)
        var sql = "SELECT record, created_at FROM return_policy WHERE \(after.sql)"
        var arguments = after.arguments
        for (column, value) in [("market", filter.market), ("category_id", filter.categoryID), ("product_id", filter.productID)]
        where !value.isEmpty {
            sql += " AND \(column) = ?"
            arguments += [value]
        }
        if filter.scope != .unspecified {
            sql += " AND scope = ?"
            arguments += [filter.scope.rawValue]
        }
        if !filter.includeInactive { sql += " AND active = 1" }
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        arguments += [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments)
            .map { (try StoredRecord.decode($0, as: ProductV1.ReturnPolicy.self), $0["created_at"]) }
    }
}
