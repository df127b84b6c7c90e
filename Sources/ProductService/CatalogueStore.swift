import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// Categories, products and their variants.
enum CatalogueStore {
    // MARK: Categories

    static func category(_ db: Database, id: String) throws -> ProductV1.Category? {
        try Row.fetchOne(db, sql: "SELECT * FROM category WHERE id = ?", arguments: [id]).map(category(from:))
    }

    static func category(from row: Row) -> ProductV1.Category {
        ProductV1.Category(id: row["id"], parentID: row["parent_id"], name: row["name"], version: row["version"])
    }

    /// Inserts or replaces `category` at its next version; the parent must exist and must not be the category
    /// itself or one of its descendants.
    static func upsertCategory(_ db: Database, _ input: ProductV1.Category, expectedVersion: Int64,
                               now: Date) throws -> ProductV1.Category {
        var category = input
        if category.id.isEmpty { category.id = Identifier.make("cat", at: now) }
        let existing = try self.category(db, id: category.id)
        try RPCError.checkVersion("category", category.id, expected: expectedVersion, current: existing?.version ?? 0)
        if !category.parentID.isEmpty {
            guard try self.category(db, id: category.parentID) != nil else {
                throw RPCError.notFound("category", category.parentID)
            }
            if try ancestors(db, of: category.parentID).contains(category.id) {
                throw RPCError.failedPrecondition("CATEGORY_CYCLE",
                                                  "category \(category.parentID) is \(category.id) or below it; a category cannot be its own ancestor",
                                                  resource: "category/\(category.id)")
            }
        }
        category.version = (existing?.version ?? 0) + 1
        if existing == nil {
            try db.execute(sql: "INSERT INTO category (id, parent_id, name, version, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [category.id, category.parentID, category.name, category.version, now.epochMicros])
        } else {
            try db.execute(sql: "UPDATE category SET parent_id = ?, name = ?, version = ? WHERE id = ?",
                           arguments: [category.parentID, category.name, category.version, category.id])
        }
        return category
    }

    /// `id` and its ancestors, the category itself first and the root last.
    static func ancestors(_ db: Database, of id: String) throws -> [String] {
        try String.fetchAll(db, sql: """
            WITH RECURSIVE chain(id, parent_id, depth) AS (
                SELECT id, parent_id, 0 FROM category WHERE id = ?
                UNION ALL
                SELECT c.id, c.parent_id, chain.depth + 1 FROM category c JOIN chain ON c.id = chain.parent_id
                WHERE chain.depth < 64
            )
            SELECT id FROM chain ORDER BY depth
            """, arguments: [id])
    }

    /// `id` and every category below it.
    static func descendants(_ db: Database, of id: String) throws -> [String] {
        try String.fetchAll(db, sql: """
            WITH RECURSIVE tree(id, depth) AS (
                SELECT id, 0 FROM category WHERE id = ?
                UNION ALL
                SELECT c.id, tree.depth + 1 FROM category c JOIN tree ON c.parent_id = tree.id WHERE tree.depth < 64
            )
            SELECT id FROM tree
            """, arguments: [id])
    }

    static func listCategories(_ db: Database, parentID: String, cursor: PageCursor?, limit: Int) throws -> [(ProductV1.Category, Int64)] {
        let after = StoredRecord.before(cursor)
        var sql = "SELECT * FROM category WHERE \(after.sql)"
        var arguments = after.arguments
        if !parentID.isEmpty {
            sql += " AND parent_id = ?"
            arguments += [parentID]
        }
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        arguments += [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { (category(from: $0), $0["created_at"]) }
    }

    // MARK: Products

    static func product(_ db: Database, id: String) throws -> ProductV1.Product? {
        try Row.fetchOne(db, sql: "SELECT record FROM product WHERE id = ?", arguments: [id])
            .map { try StoredRecord.decode($0, as: ProductV1.Product.self) }
    }

    /// The product holding `sku`, and the variant.
    static func variant(_ db: Database, sku: String) throws -> (product: ProductV1.Product, variant: ProductV1.Variant)? {
        guard let productID = try String.fetchOne(db, sql: "SELECT product_id FROM variant WHERE sku = ?", arguments: [sku]),
              let product = try product(db, id: productID),
              let variant = product.variants.first(where: { $0.sku == sku }) else { return nil }
        return (product, variant)
    }

    /// Creates or replaces `input` with its variants; SKUs must not belong to another product.
    static func upsertProduct(_ db: Database, _ input: ProductV1.Product, expectedVersion: Int64,
                              now: Date) throws -> ProductV1.Product {
        var product = input
        if product.id.isEmpty { product.id = Identifier.make("prod", at: now) }
        let existing = try self.product(db, id: product.id)
        try RPCError.checkVersion("product", product.id, expected: expectedVersion, current: existing?.version ?? 0)
        guard try category(db, id: product.categoryID) != nil else { throw RPCError.notFound("category", product.categoryID) }
        for (index, _) in product.variants.enumerated() {
            product.variants[index].productID = product.id
            let sku = product.variants[index].sku
            if let owner = try String.fetchOne(db, sql: "SELECT product_id FROM variant WHERE sku = ?", arguments: [sku]),
               owner != product.id {
                throw RPCError(.alreadyExists, "variants[\(index)].sku \(sku) already belongs to product \(owner)",
                               details: .init(reason: "ALREADY_EXISTS", resource: "variant/\(sku)"))
            }
        }
        product.version = (existing?.version ?? 0) + 1
        product.createdAt = existing?.createdAt ?? CommonV1.Timestamp(now)
        product.updatedAt = CommonV1.Timestamp(now)
        let created = product.createdAt?.epochMicros ?? now.epochMicros
        try db.execute(sql: """
            INSERT INTO product (id, category_id, brand, version, created_at, updated_at, record) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET category_id = excluded.category_id, brand = excluded.brand,
                version = excluded.version, updated_at = excluded.updated_at, record = excluded.record
            """, arguments: [product.id, product.categoryID, product.brand, product.version, created, now.epochMicros,
                             try StoredRecord.encode(product)])
        try db.execute(sql: "DELETE FROM variant WHERE product_id = ?", arguments: [product.id])
        for variant in product.variants {
            try db.execute(sql: "INSERT INTO variant (sku, product_id) VALUES (?, ?)", arguments: [variant.sku, product.id])
        }
        return product
    }

    static func listProducts(_ db: Database, categoryIDs: [String]?, brand: String, cursor: PageCursor?,
                             limit: Int) throws -> [ProductV1.Product] {
        let after = StoredRecord.before(cursor)
        var sql = "SELECT record FROM product WHERE \(after.sql)"
        var arguments = after.arguments
        if let categoryIDs {
            sql += " AND category_id IN (\(databaseQuestionMarks(count: max(1, categoryIDs.count))))"
            arguments += StatementArguments(categoryIDs.isEmpty ? [""] : categoryIDs)
        }
        if !brand.isEmpty {
            sql += " AND brand = ?"
            arguments += [brand]
        }
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        arguments += [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { try StoredRecord.decode($0, as: ProductV1.Product.self) }
    }
}
