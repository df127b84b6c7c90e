import AfterSaleTestSupport
import Foundation
import GRDB
import ProductService
import RPCShared
import ServiceRuntime
import Testing

/// Bad input for every method: the exact status code, a message or field violation naming the field, and
/// nothing stored changes.
@Suite struct BadInputTests {
    typealias Client = ProductV1.ProductService.Client

    struct BadCall: Sendable {
        var name: String
        var code: StatusCode
        var field: String
        var call: @Sendable (Client) async throws -> Void
    }

    static let long = String(repeating: "x", count: 300)
    static func m() -> CallOptions { .mutating() }

    static var calls: [BadCall] {
        var product0 = ProductFixture.shoe
        product0.variants[1].sku = product0.variants[0].sku
        var negativePrice0 = ProductFixture.shoe
        negativePrice0.variants[0].price = .init(currency: "EUR", minorUnits: -1)
        var badCurrency0 = ProductFixture.shoe
        badCurrency0.variants[0].price = .init(currency: "eur", minorUnits: 1)
        var noVariants0 = ProductFixture.shoe
        noVariants0.variants = []
        var unknownCategory0 = ProductFixture.shoe
        unknownCategory0.categoryID = "cat_nope"
        var longTitle0 = ProductFixture.shoe
        longTitle0.title = long
        var marketWithCategory0 = ProductV1.ReturnPolicy(scope: .market, market: "DE", categoryID: "cat_shoes")
        marketWithCategory0.active = true
        var negativeWindow0 = ProductV1.ReturnPolicy(scope: .market, market: "DE")
        negativeWindow0.windowDays = .init(value: -1)
        var declined0 = ProductV1.ReturnPolicy(scope: .market, market: "DE")
        declined0.allowedResolutions = [.declined]
        var badFee0 = ProductV1.ReturnPolicy(scope: .market, market: "DE")
        badFee0.returnShippingFee = .init(currency: "EURO", minorUnits: 100)
        var badDate0 = ProductV1.ReturnPolicy(scope: .market, market: "DE")
        badDate0.effectiveFrom = .init(year: 2026, month: 2, day: 30)
        var unknownKind0 = ProductV1.ReturnPolicy(scope: .market, market: "DE")
        unknownKind0.allowedKinds = [.init(rawValue: 99)]
        let line = ProductV1.EligibilityLine(orderLineID: "ol_1", sku: "RUN-42", deliveredQuantity: 1, requestedQuantity: 1)
        var negativeLine0 = line
        negativeLine0.requestedQuantity = -1
        let product = product0
        let negativePrice = negativePrice0
        let badCurrency = badCurrency0
        let noVariants = noVariants0
        let unknownCategory = unknownCategory0
        let longTitle = longTitle0
        let marketWithCategory = marketWithCategory0
        let negativeWindow = negativeWindow0
        let declined = declined0
        let badFee = badFee0
        let badDate = badDate0
        let unknownKind = unknownKind0
        let negativeLine = negativeLine0
        return [
            // Catalogue.
            .init(name: "upsert product without product", code: .invalidArgument, field: "product") { _ = try await $0.upsertProduct(.init(), options: m()) },
            .init(name: "repeated SKU", code: .invalidArgument, field: "product.variants[1].sku") { _ = try await $0.upsertProduct(.init(product: product), options: m()) },
            .init(name: "negative price", code: .invalidArgument, field: "product.variants[0].price.minor_units") { _ = try await $0.upsertProduct(.init(product: negativePrice), options: m()) },
            .init(name: "bad currency", code: .invalidArgument, field: "product.variants[0].price.currency") { _ = try await $0.upsertProduct(.init(product: badCurrency), options: m()) },
            .init(name: "no variants", code: .invalidArgument, field: "product.variants") { _ = try await $0.upsertProduct(.init(product: noVariants), options: m()) },
            .init(name: "oversize title", code: .invalidArgument, field: "product.title") { _ = try await $0.upsertProduct(.init(product: longTitle), options: m()) },
            .init(name: "unknown category", code: .notFound, field: "category/cat_nope") { _ = try await $0.upsertProduct(.init(product: unknownCategory), options: m()) },
            .init(name: "negative expected version", code: .invalidArgument, field: "expected_version") { _ = try await $0.upsertProduct(.init(product: ProductFixture.shoe, expectedVersion: -1), options: m()) },
            .init(name: "stale product version", code: .aborted, field: "product/prod_shoe") { _ = try await $0.upsertProduct(.init(product: ProductFixture.shoe, expectedVersion: 7), options: m()) },
            .init(name: "get product without id", code: .invalidArgument, field: "product_id") { _ = try await $0.getProduct(.init()) },
            .init(name: "get unknown product", code: .notFound, field: "product/prod_nope") { _ = try await $0.getProduct(.init(productID: "prod_nope")) },
            .init(name: "id with spaces", code: .invalidArgument, field: "product_id") { _ = try await $0.getProduct(.init(productID: "prod shoe")) },
            .init(name: "list products negative page", code: .invalidArgument, field: "page.page_size") { _ = try await $0.listProducts(.init(page: .init(pageSize: -1))) },
            .init(name: "list products garbage token", code: .invalidArgument, field: "page.page_token") { _ = try await $0.listProducts(.init(page: .init(pageToken: "garbage"))) },
            .init(name: "get variant without sku", code: .invalidArgument, field: "sku") { _ = try await $0.getVariant(.init()) },
            .init(name: "get unknown variant", code: .notFound, field: "variant/NOPE") { _ = try await $0.getVariant(.init(sku: "NOPE")) },
            .init(name: "category without name", code: .invalidArgument, field: "category.name") { _ = try await $0.upsertCategory(.init(category: .init(id: "cat_x")), options: m()) },
            .init(name: "category without category", code: .invalidArgument, field: "category") { _ = try await $0.upsertCategory(.init(), options: m()) },
            .init(name: "category own parent", code: .invalidArgument, field: "category.parent_id") { _ = try await $0.upsertCategory(.init(category: .init(id: "cat_x", parentID: "cat_x", name: "X")), options: m()) },
            .init(name: "category unknown parent", code: .notFound, field: "category/cat_nope") { _ = try await $0.upsertCategory(.init(category: .init(id: "cat_x", parentID: "cat_nope", name: "X")), options: m()) },
            .init(name: "list categories bad parent", code: .invalidArgument, field: "parent_id") { _ = try await $0.listCategories(.init(parentID: "a b")) },
            // Policies.
            .init(name: "policy missing", code: .invalidArgument, field: "policy") { _ = try await $0.upsertPolicy(.init(), options: m()) },
            .init(name: "policy without scope", code: .invalidArgument, field: "policy.scope") { _ = try await $0.upsertPolicy(.init(policy: .init(market: "DE")), options: m()) },
            .init(name: "policy bad market", code: .invalidArgument, field: "policy.market") { _ = try await $0.upsertPolicy(.init(policy: .init(scope: .market, market: "de")), options: m()) },
            .init(name: "market policy with category", code: .invalidArgument, field: "policy.category_id") { _ = try await $0.upsertPolicy(.init(policy: marketWithCategory), options: m()) },
            .init(name: "category policy without category", code: .invalidArgument, field: "policy.category_id") { _ = try await $0.upsertPolicy(.init(policy: .init(scope: .category, market: "DE")), options: m()) },
            .init(name: "product policy unknown product", code: .notFound, field: "product/prod_nope") { _ = try await $0.upsertPolicy(.init(policy: .init(scope: .product, market: "DE", productID: "prod_nope")), options: m()) },
            .init(name: "negative window", code: .invalidArgument, field: "policy.window_days.value") { _ = try await $0.upsertPolicy(.init(policy: negativeWindow), options: m()) },
            .init(name: "declined resolution", code: .invalidArgument, field: "policy.allowed_resolutions[0]") { _ = try await $0.upsertPolicy(.init(policy: declined), options: m()) },
            .init(name: "unknown kind", code: .invalidArgument, field: "policy.allowed_kinds[0]") { _ = try await $0.upsertPolicy(.init(policy: unknownKind), options: m()) },
            .init(name: "bad fee currency", code: .invalidArgument, field: "policy.return_shipping_fee.currency") { _ = try await $0.upsertPolicy(.init(policy: badFee), options: m()) },
            .init(name: "impossible date", code: .invalidArgument, field: "policy.effective_from") { _ = try await $0.upsertPolicy(.init(policy: badDate), options: m()) },
            .init(name: "stale policy version", code: .aborted, field: "policy/pol_de") { _ = try await $0.upsertPolicy(.init(policy: .init(id: "pol_de", scope: .market, market: "DE"), expectedVersion: 9), options: m()) },
            .init(name: "effective policy without market", code: .invalidArgument, field: "market") { _ = try await $0.getEffectivePolicy(.init(productID: "prod_shoe")) },
            .init(name: "effective policy without product", code: .invalidArgument, field: "product_id") { _ = try await $0.getEffectivePolicy(.init(market: "DE")) },
            .init(name: "effective policy unknown sku", code: .notFound, field: "variant/NOPE") { _ = try await $0.getEffectivePolicy(.init(market: "DE", sku: "NOPE")) },
            .init(name: "effective policy bad as_of", code: .invalidArgument, field: "as_of.nanos") { _ = try await $0.getEffectivePolicy(.init(market: "DE", productID: "prod_shoe", asOf: .init(seconds: 1, nanos: -1))) },
            .init(name: "list policies bad scope", code: .invalidArgument, field: "scope") { _ = try await $0.listPolicies(.init(scope: .init(rawValue: 42))) },
            .init(name: "list policies bad market", code: .invalidArgument, field: "market") { _ = try await $0.listPolicies(.init(market: "Germany")) },
            .init(name: "eligibility without lines", code: .invalidArgument, field: "lines") { _ = try await $0.checkEligibility(.init(market: "DE")) },
            .init(name: "eligibility bad time zone", code: .invalidArgument, field: "time_zone") { _ = try await $0.checkEligibility(.init(market: "DE", timeZone: "Mars/Olympus", lines: [line])) },
            .init(name: "eligibility negative quantity", code: .invalidArgument, field: "lines[0].requested_quantity") { _ = try await $0.checkEligibility(.init(market: "DE", lines: [negativeLine])) },
            .init(name: "eligibility without market", code: .invalidArgument, field: "market") { _ = try await $0.checkEligibility(.init(lines: [line])) },
            .init(name: "eligibility unknown kind", code: .invalidArgument, field: "kind") { _ = try await $0.checkEligibility(.init(market: "DE", kind: .init(rawValue: 77), lines: [line])) },
            .init(name: "eligibility too many lines", code: .invalidArgument, field: "lines") { _ = try await $0.checkEligibility(.init(market: "DE", lines: Array(repeating: line, count: 501))) },
            // Inventory.
            .init(name: "stock without sku", code: .invalidArgument, field: "sku") { _ = try await $0.getStock(.init()) },
            .init(name: "stock unknown sku", code: .notFound, field: "variant/NOPE") { _ = try await $0.getStock(.init(sku: "NOPE")) },
            .init(name: "adjust zero", code: .invalidArgument, field: "delta") { _ = try await $0.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_a"), options: m()) },
            .init(name: "adjust without warehouse", code: .invalidArgument, field: "warehouse_id") { _ = try await $0.adjustStock(.init(sku: "RUN-42", delta: 1), options: m()) },
            .init(name: "adjust below zero", code: .failedPrecondition, field: "RUN-42") { _ = try await $0.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_a", delta: -100), options: m()) },
            .init(name: "adjust unknown sku", code: .notFound, field: "variant/NOPE") { _ = try await $0.adjustStock(.init(sku: "NOPE", warehouseID: "wh_a", delta: 1), options: m()) },
            .init(name: "adjust oversize reason", code: .invalidArgument, field: "reason") { _ = try await $0.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_a", delta: 1, reason: long), options: m()) },
            .init(name: "adjust without idempotency key", code: .invalidArgument, field: "metadata.idempotency-key") { _ = try await $0.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_a", delta: 1)) },
            .init(name: "reserve zero", code: .invalidArgument, field: "quantity") { _ = try await $0.reserveStock(.init(sku: "RUN-42"), options: m()) },
            .init(name: "reserve negative", code: .invalidArgument, field: "quantity") { _ = try await $0.reserveStock(.init(sku: "RUN-42", quantity: -3), options: m()) },
            .init(name: "reserve too many", code: .resourceExhausted, field: "RUN-42") { _ = try await $0.reserveStock(.init(sku: "RUN-42", quantity: 1000), options: m()) },
            .init(name: "reserve unknown sku", code: .notFound, field: "variant/NOPE") { _ = try await $0.reserveStock(.init(sku: "NOPE", quantity: 1), options: m()) },
            .init(name: "release without id", code: .invalidArgument, field: "reservation_id") { _ = try await $0.releaseReservation(.init(), options: m()) },
            .init(name: "release unknown", code: .notFound, field: "reservation/res_nope") { _ = try await $0.releaseReservation(.init(reservationID: "res_nope"), options: m()) },
            .init(name: "commit without id", code: .invalidArgument, field: "reservation_id") { _ = try await $0.commitReservation(.init(), options: m()) },
            .init(name: "commit unknown", code: .notFound, field: "reservation/res_nope") { _ = try await $0.commitReservation(.init(reservationID: "res_nope"), options: m()) },
            .init(name: "receive return to customer", code: .invalidArgument, field: "disposition") { _ = try await $0.receiveReturn(.init(sku: "RUN-42", warehouseID: "wh_a", quantity: 1, disposition: .returnToCustomer), options: m()) },
            .init(name: "receive without disposition", code: .invalidArgument, field: "disposition") { _ = try await $0.receiveReturn(.init(sku: "RUN-42", warehouseID: "wh_a", quantity: 1), options: m()) },
            .init(name: "receive zero", code: .invalidArgument, field: "quantity") { _ = try await $0.receiveReturn(.init(sku: "RUN-42", warehouseID: "wh_a", disposition: .restock), options: m()) },
            .init(name: "receive unknown sku", code: .notFound, field: "variant/NOPE") { _ = try await $0.receiveReturn(.init(sku: "NOPE", warehouseID: "wh_a", quantity: 1, disposition: .restock), options: m()) },
            // Statistics.
            .init(name: "stats without id", code: .invalidArgument, field: "product_id") { _ = try await $0.getProductStats(.init()) },
            .init(name: "sale without product", code: .invalidArgument, field: "product_id") { _ = try await $0.recordSale(.init(quantity: 1), options: m()) },
            .init(name: "sale negative", code: .invalidArgument, field: "quantity") { _ = try await $0.recordSale(.init(productID: "prod_shoe", quantity: -1), options: m()) },
            .init(name: "sale bad sold_at", code: .invalidArgument, field: "sold_at") { _ = try await $0.recordSale(.init(productID: "prod_shoe", quantity: 1, soldAt: .init(seconds: -5)), options: m()) },
            .init(name: "return stat without reason", code: .invalidArgument, field: "reason") { _ = try await $0.recordReturnStat(.init(productID: "prod_shoe", quantity: 1), options: m()) },
            .init(name: "return stat unknown product", code: .notFound, field: "product/prod_nope") { _ = try await $0.recordReturnStat(.init(productID: "prod_nope", quantity: 1, reason: .other), options: m()) },
            .init(name: "rating out of range", code: .invalidArgument, field: "rating") { _ = try await $0.recordRating(.init(productID: "prod_shoe", rating: 6), options: m()) },
            .init(name: "rating zero", code: .invalidArgument, field: "rating") { _ = try await $0.recordRating(.init(productID: "prod_shoe"), options: m()) },
            .init(name: "quality without id", code: .invalidArgument, field: "product_id") { _ = try await $0.getQualityScore(.init()) },
            // Classifier.
            .init(name: "classify empty", code: .invalidArgument, field: "text") { _ = try await $0.classifyText(.init()) },
            .init(name: "classify blank", code: .invalidArgument, field: "text") { _ = try await $0.classifyText(.init(text: "   ")) },
            .init(name: "classify oversize", code: .invalidArgument, field: "text") { _ = try await $0.classifyText(.init(text: String(repeating: "坏", count: 2000))) },
            .init(name: "classify control characters", code: .invalidArgument, field: "text") { _ = try await $0.classifyText(.init(text: "bad\u{07}bell")) },
        ]
    }

    /// Every row of every ProductService table, as text.
    static func snapshot(_ database: ServiceDatabase) async throws -> [String] {
        try await database.read { db in
            var rows: [String] = []
            for table in ["category", "product", "variant", "return_policy", "stock_level", "stock_movement", "reservation",
                          "product_stats", "product_return_reason", "idempotency_record"] {
                rows += try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { "\(table): \($0)" }
            }
            return rows.sorted()
        }
    }

    @Test func everyMethodRefusesBadInputWithTheExactCodeAndChangesNothing() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        try await fixture.basicCatalogue()
        _ = try await fixture.client.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_a", delta: 3), options: .mutating())
        let before = try await Self.snapshot(fixture.database)
        for bad in Self.calls {
            do {
                try await bad.call(fixture.client)
                Issue.record("\(bad.name): succeeded")
            } catch let error as RPCError {
                #expect(error.code == bad.code, "\(bad.name): \(error)")
                let fields = error.errorDetails?.fieldViolations.map(\.field) ?? []
                let named = fields.contains(bad.field) || error.message.contains(bad.field)
                    || (error.errorDetails?.resource ?? "").contains(bad.field)
                #expect(named, "\(bad.name): \(error) does not name \(bad.field)")
            }
        }
        #expect(try await Self.snapshot(fixture.database) == before)
        #expect(Self.calls.count >= 60)
    }
}
