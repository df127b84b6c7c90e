import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// ProductService over its database: validate → domain → storage → proto. The catalogue RPCs are here; the
/// policies, inventory, statistics and classifier RPCs are in the `ProductHandler+…` files.
public struct ProductHandler: ProductV1.ProductService.Handler {
    public let database: ServiceDatabase
    public let clock: ServiceClock
    public let classifier: IssueClassifier

    public init(database: ServiceDatabase, clock: ServiceClock = .system, classifier: IssueClassifier) {
        self.database = database
        self.clock = clock
        self.classifier = classifier
    }

    // MARK: Catalogue

    public func upsertProduct(_ request: ProductV1.UpsertProductRequest, context: ServerContext) async throws -> ProductV1.Product {
        var check = FieldValidator()
        check.product(request.product, "product")
        check.nonNegative(request.expectedVersion, "expected_version")
        try check.validate()
        let now = clock.now()
        return try await database.idempotent(request, context: context, clock: clock) { db in
            try CatalogueStore.upsertProduct(db, request.product ?? .init(), expectedVersion: request.expectedVersion, now: now)
        }
    }

    public func getProduct(_ request: ProductV1.GetProductRequest, context: ServerContext) async throws -> ProductV1.Product {
        var check = FieldValidator()
        check.identifier(request.productID, "product_id")
        try check.validate()
        return try await database.read { db in
            guard let product = try CatalogueStore.product(db, id: request.productID) else {
                throw RPCError.notFound("product", request.productID)
            }
            return product
        }
    }

    public func listProducts(_ request: ProductV1.ListProductsRequest, context: ServerContext) async throws -> ProductV1.ListProductsResponse {
        var check = FieldValidator()
        check.optionalIdentifier(request.categoryID, "category_id")
        check.name(request.brand, "brand")
        try check.validate()
        let size = try PageCursor.pageSize(request.page)
        let query = "products|\(request.categoryID)|\(request.brand)"
        let cursor = try PageCursor.decode(request.page, query: query)
        return try await database.read { db in
            var categories: [String]?
            if !request.categoryID.isEmpty {
                guard try CatalogueStore.category(db, id: request.categoryID) != nil else {
                    throw RPCError.notFound("category", request.categoryID)
                }
                categories = try CatalogueStore.descendants(db, of: request.categoryID)
            }
            let rows = try CatalogueStore.listProducts(db, categoryIDs: categories, brand: request.brand, cursor: cursor,
                                                       limit: size + 1)
            let page = PageCursor.page(rows, size: size, query: query) {
                PageCursor(key: "\($0.createdAt?.epochMicros ?? 0)", id: $0.id)
            }
            return ProductV1.ListProductsResponse(products: page.rows, page: page.page)
        }
    }

    public func getVariant(_ request: ProductV1.GetVariantRequest, context: ServerContext) async throws -> ProductV1.Variant {
        var check = FieldValidator()
        check.identifier(request.sku, "sku")
        try check.validate()
        return try await database.read { db in
            guard let found = try CatalogueStore.variant(db, sku: request.sku) else { throw RPCError.notFound("variant", request.sku) }
            return found.variant
        }
    }

    public func upsertCategory(_ request: ProductV1.UpsertCategoryRequest, context: ServerContext) async throws -> ProductV1.Category {
        var check = FieldValidator()
        if let category = request.category {
            check.optionalIdentifier(category.id, "category.id")
            check.optionalIdentifier(category.parentID, "category.parent_id")
            check.name(category.name, "category.name", required: true)
            if !category.id.isEmpty && category.parentID == category.id {
                check.fail("category.parent_id", "must not be the category itself")
            }
        } else {
            check.fail("category", "is required")
        }
        check.nonNegative(request.expectedVersion, "expected_version")
        try check.validate()
        let now = clock.now()
        return try await database.idempotent(request, context: context, clock: clock) { db in
            try CatalogueStore.upsertCategory(db, request.category ?? .init(), expectedVersion: request.expectedVersion, now: now)
        }
    }

    public func listCategories(_ request: ProductV1.ListCategoriesRequest, context: ServerContext) async throws -> ProductV1.ListCategoriesResponse {
        var check = FieldValidator()
        check.optionalIdentifier(request.parentID, "parent_id")
        try check.validate()
        let size = try PageCursor.pageSize(request.page)
        let query = "categories|\(request.parentID)"
        let cursor = try PageCursor.decode(request.page, query: query)
        return try await database.read { db in
            if !request.parentID.isEmpty, try CatalogueStore.category(db, id: request.parentID) == nil {
                throw RPCError.notFound("category", request.parentID)
            }
            let rows = try CatalogueStore.listCategories(db, parentID: request.parentID, cursor: cursor, limit: size + 1)
            let page = PageCursor.page(rows, size: size, query: query) { PageCursor(key: "\($0.1)", id: $0.0.id) }
            return ProductV1.ListCategoriesResponse(categories: page.rows.map(\.0), page: page.page)
        }
    }

    // MARK: Shared lookups

    /// The product named by `productID` and/or `sku` (they must agree when both are given).
    static func resolveProduct(_ db: Database, productID: String, sku: String) throws -> ProductV1.Product {
        if !sku.isEmpty {
            guard let found = try CatalogueStore.variant(db, sku: sku) else { throw RPCError.notFound("variant", sku) }
            if !productID.isEmpty && found.product.id != productID {
                throw RPCError.invalidArgument("sku", "\(sku) belongs to product \(found.product.id), not \(productID)")
            }
            return found.product
        }
        guard let product = try CatalogueStore.product(db, id: productID) else { throw RPCError.notFound("product", productID) }
        return product
    }

    /// NOT_FOUND unless `sku` is a catalogue variant.
    static func requireSKU(_ db: Database, _ sku: String) throws {
        if try String.fetchOne(db, sql: "SELECT sku FROM variant WHERE sku = ?", arguments: [sku]) == nil {
            throw RPCError.notFound("variant", sku)
        }
    }
}
