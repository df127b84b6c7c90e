import AfterSaleTestSupport
import Foundation
import ProductService
import RPCShared
import ServiceRuntime
import Testing

/// Catalogue, policies and eligibility over a real socket.
@Suite struct ProductHandlerTests {
    @Test func upsertGetListAndVariantLookup() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        let product = try await fixture.basicCatalogue()
        #expect(product.version == 1 && product.createdAt?.date == ProductFixture.now)
        #expect(product.variants.allSatisfy { $0.productID == "prod_shoe" })
        #expect(try await fixture.client.getProduct(.init(productID: "prod_shoe")) == product)
        let variant = try await fixture.client.getVariant(.init(sku: "RUN-43"))
        #expect(variant.productID == "prod_shoe" && variant.price?.minorUnits == 12900)

        // Replace: one variant dropped, version 2; the dropped SKU is gone.
        var changed = ProductFixture.shoe
        changed.variants.removeLast()
        let replaced = try await fixture.client.upsertProduct(.init(product: changed, expectedVersion: 1), options: .mutating())
        #expect(replaced.version == 2 && replaced.createdAt == product.createdAt)
        await expectRPCError(.notFound, reason: "NOT_FOUND") { _ = try await fixture.client.getVariant(.init(sku: "RUN-43")) }

        // Stale version → ABORTED with the current version.
        do {
            _ = try await fixture.client.upsertProduct(.init(product: changed, expectedVersion: 1), options: .mutating())
            Issue.record("stale version accepted")
        } catch let error as RPCError {
            #expect(error.code == .aborted && error.errorDetails?.reason == "VERSION_CONFLICT")
            #expect(error.errorDetails?.metadata["current_version"] == "2")
        }

        // A SKU of another product is refused.
        var thief = ProductFixture.shoe
        thief.id = "prod_other"
        thief.variants = [thief.variants[0]]
        await expectRPCError(.alreadyExists, reason: "ALREADY_EXISTS") {
            _ = try await fixture.client.upsertProduct(.init(product: thief), options: .mutating())
        }
        #expect(try await fixture.client.getVariant(.init(sku: "RUN-42")).productID == "prod_shoe")
    }

    @Test func listsAreNewestFirstAndPageWithCategoryDescendants() async throws {
        let fixture = try await ProductFixture.start(clock: ServiceClock { Date() })
        defer { Task { await fixture.remove() } }
        let client = fixture.client
        _ = try await client.upsertCategory(.init(category: .init(id: "cat_root", name: "Root")), options: .mutating())
        _ = try await client.upsertCategory(.init(category: .init(id: "cat_child", parentID: "cat_root", name: "Child")), options: .mutating())
        _ = try await client.upsertCategory(.init(category: .init(id: "cat_other", name: "Other")), options: .mutating())
        for index in 0..<5 {
            var product = ProductFixture.shoe
            product.id = "prod_\(index)"
            product.categoryID = index < 3 ? "cat_child" : "cat_other"
            product.brand = index % 2 == 0 ? "Even" : "Odd"
            product.variants = [.init(sku: "SKU-\(index)", price: .init(currency: "EUR", minorUnits: 100), active: true)]
            _ = try await client.upsertProduct(.init(product: product), options: .mutating())
        }
        var seen: [String] = []
        var token = ""
        repeat {
            let page = try await client.listProducts(.init(page: .init(pageSize: 2, pageToken: token), categoryID: "cat_root"))
            #expect(page.products.count <= 2)
            seen += page.products.map(\.id)
            token = page.page?.nextPageToken ?? ""
        } while !token.isEmpty
        #expect(seen == ["prod_2", "prod_1", "prod_0"])
        let even = try await client.listProducts(.init(brand: "Even"))
        #expect(even.products.map(\.id) == ["prod_4", "prod_2", "prod_0"])
        let first = try await client.listProducts(.init(page: .init(pageSize: 1), categoryID: "cat_root"))
        await expectRPCError(.invalidArgument, field: "page.page_token") {
            _ = try await client.listProducts(.init(page: .init(pageSize: 1, pageToken: first.page?.nextPageToken ?? ""), brand: "Odd"))
        }
        let children = try await client.listCategories(.init(parentID: "cat_root"))
        #expect(children.categories.map(\.id) == ["cat_child"])
        let all = try await client.listCategories(.init())
        #expect(all.categories.map(\.id) == ["cat_other", "cat_child", "cat_root"])
        await expectRPCError(.notFound) { _ = try await client.listCategories(.init(parentID: "cat_nope")) }
        await expectRPCError(.notFound) { _ = try await client.listProducts(.init(categoryID: "cat_nope")) }
    }

    @Test func categoryCyclesAreRefused() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        let client = fixture.client
        _ = try await client.upsertCategory(.init(category: .init(id: "cat_a", name: "A")), options: .mutating())
        _ = try await client.upsertCategory(.init(category: .init(id: "cat_b", parentID: "cat_a", name: "B")), options: .mutating())
        await expectRPCError(.failedPrecondition, reason: "CATEGORY_CYCLE") {
            _ = try await client.upsertCategory(.init(category: .init(id: "cat_a", parentID: "cat_b", name: "A")), options: .mutating())
        }
        let renamed = try await client.upsertCategory(.init(category: .init(id: "cat_a", name: "A2"), expectedVersion: 1), options: .mutating())
        #expect(renamed.version == 2 && renamed.name == "A2")
    }

    @Test func idempotentReplayReturnsTheStoredResponseAndRefusesAnotherBody() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        try await fixture.basicCatalogue()
        let key = CallOptions.mutating(key: "adjust-once")
        let first = try await fixture.client.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_1", delta: 10), options: key)
        let again = try await fixture.client.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_1", delta: 10), options: key)
        #expect(first == again && again.onHand == 10 && again.version == 1)
        await expectRPCError(.failedPrecondition, reason: "IDEMPOTENCY_KEY_REUSED") {
            _ = try await fixture.client.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_1", delta: 11), options: key)
        }
        let stock = try await fixture.client.getStock(.init(sku: "RUN-42"))
        #expect(stock.totalAvailable == 10)
        // The same policy upsert replayed does not bump the version.
        let policyKey = CallOptions.mutating(key: "policy-once")
        var policy = ProductV1.ReturnPolicy(id: "pol_us", scope: .market, market: "US")
        policy.active = true
        let created = try await fixture.client.upsertPolicy(.init(policy: policy), options: policyKey)
        let replayed = try await fixture.client.upsertPolicy(.init(policy: policy), options: policyKey)
        #expect(created == replayed && replayed.version == 1)
        await expectRPCError(.invalidArgument, field: "metadata.idempotency-key") {
            _ = try await fixture.client.upsertPolicy(.init(policy: policy))
        }
    }

    @Test func effectivePolicyMergesMarketCategoryAndProductWithAudit() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        try await fixture.basicCatalogue()
        var category = ProductV1.ReturnPolicy(id: "pol_de_shoes", name: "Shoes", scope: .category, market: "DE", categoryID: "cat_shoes")
        category.active = true
        category.windowDays = .init(value: 60)
        category.returnShippingFee = .init(currency: "EUR", minorUnits: 0)
        let stored = try await fixture.client.upsertPolicy(.init(policy: category, actor: .init(kind: .agent, id: "agent_7")),
                                                           options: .mutating())
        #expect(stored.version == 1 && stored.updatedBy == "agent_7" && stored.updatedAt?.date == ProductFixture.now)
        var product = ProductV1.ReturnPolicy(id: "pol_de_runner", scope: .product, market: "DE", productID: "prod_shoe")
        product.active = true
        product.finalSale = .init(value: true)
        _ = try await fixture.client.upsertPolicy(.init(policy: product), options: .mutating())

        let effective = try await fixture.client.getEffectivePolicy(.init(market: "DE", sku: "RUN-42"))
        #expect(effective.productID == "prod_shoe" && effective.categoryID == "cat_shoes")
        #expect(effective.windowDays == 60 && effective.withdrawalDays == 14 && effective.finalSale)
        #expect(effective.returnShippingFee?.minorUnits == 0)
        #expect(effective.appliedPolicyIDs == ["pol_de", "pol_de_shoes", "pol_de_runner"])
        #expect(effective.fieldSources["final_sale"] == "pol_de_runner" && effective.fieldSources["warranty_months"] == "pol_de")

        // Deactivated: the product override no longer applies; listed only with include_inactive.
        product.active = false
        _ = try await fixture.client.upsertPolicy(.init(policy: product, expectedVersion: 1), options: .mutating())
        #expect(try await !fixture.client.getEffectivePolicy(.init(market: "DE", productID: "prod_shoe")).finalSale)
        #expect(try await fixture.client.listPolicies(.init(market: "DE")).policies.map(\.id) == ["pol_de_shoes", "pol_de"])
        #expect(try await fixture.client.listPolicies(.init(market: "DE", includeInactive: true)).policies.count == 3)
        #expect(try await fixture.client.listPolicies(.init(scope: .category)).policies.map(\.id) == ["pol_de_shoes"])
        var paged: [String] = []
        var token = ""
        repeat {
            let page = try await fixture.client.listPolicies(.init(page: .init(pageSize: 1, pageToken: token), includeInactive: true))
            paged += page.policies.map(\.id)
            token = page.page?.nextPageToken ?? ""
        } while !token.isEmpty && paged.count < 10
        #expect(Set(paged) == ["pol_de", "pol_de_shoes", "pol_de_runner"] && paged.count == 3)
        await expectRPCError(.notFound) { _ = try await fixture.client.getEffectivePolicy(.init(market: "US", productID: "prod_shoe")) }
        await expectRPCError(.invalidArgument, field: "sku") {
            _ = try await fixture.client.getEffectivePolicy(.init(market: "DE", productID: "prod_x", sku: "RUN-42"))
        }
    }

    @Test func checkEligibilityGivesAVerdictPerLineInTheCustomersTimeZone() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        try await fixture.basicCatalogue()
        let delivered = CommonV1.Timestamp(ReturnWindowTests.utc("2026-03-10T15:30:00Z"))
        let request = ProductV1.CheckEligibilityRequest(
            market: "DE", timeZone: "Asia/Shanghai", asOf: .init(ReturnWindowTests.utc("2026-04-08T16:30:00Z")),
            kind: .returnRefund, lines: [
                .init(orderLineID: "ol_1", sku: "RUN-42", deliveredQuantity: 1, deliveredAt: delivered, requestedQuantity: 1),
                .init(orderLineID: "ol_2", sku: "NOPE", deliveredQuantity: 1, deliveredAt: delivered, requestedQuantity: 1),
                .init(orderLineID: "ol_3", sku: "RUN-43", deliveredQuantity: 1, requestedQuantity: 1),
            ], orderID: "ord_1")
        let response = try await fixture.client.checkEligibility(request)
        #expect(!response.allEligible && response.evaluatedAt == request.asOf)
        // 23:30 CST on 10 March: 30 days end at 10 April 00:00 CST = 9 April 16:00Z; 8 April 16:30Z is inside.
        #expect(response.lines[0].eligible && response.lines[0].deadline?.date == ReturnWindowTests.utc("2026-04-09T16:00:00Z"))
        #expect(response.lines[0].findings.map(\.reason) == [.withinReturnWindow])
        #expect(response.lines[0].policy?.appliedPolicyIDs == ["pol_de"])
        #expect(response.lines[1].findings.map(\.reason) == [.unknownSKU])
        #expect(response.lines[2].findings.map(\.reason) == [.notDelivered])
        // In Berlin the same delivery was on day 0 = 10 March too, but ends at 10 April 00:00 CEST = 9 April 22:00Z.
        var berlin = request
        berlin.timeZone = ""
        berlin.lines = [request.lines[0]]
        let inBerlin = try await fixture.client.checkEligibility(berlin)
        #expect(inBerlin.lines[0].deadline?.date == ReturnWindowTests.utc("2026-04-09T22:00:00Z"))
    }

    @Test func theSeedCatalogueLoadsTwiceWithoutDoublingStock() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        try await ProductCatalogueSeed.load(into: fixture.client)
        try await ProductCatalogueSeed.load(into: fixture.client)
        let products = try await fixture.client.listProducts(.init(page: .init(pageSize: 500)))
        #expect(products.products.count == ProductCatalogueSeed.products.count)
        #expect(Set(products.products.flatMap(\.variants).compactMap(\.price?.currency)) == ["EUR", "CNY", "USD"])
        let first = try #require(ProductCatalogueSeed.stock.first)
        let stock = try await fixture.client.getStock(.init(sku: first.sku))
        #expect(stock.totalAvailable == first.delta)

        // The seeded policies answer the questions they were written for.
        let lipstick = try await fixture.client.getEffectivePolicy(.init(market: "CN", sku: "LIP-VLV-01"))
        #expect(lipstick.finalSale && lipstick.noReasonReturnDays == 0)
        let phone = try await fixture.client.getEffectivePolicy(.init(market: "DE", sku: "ASTER-X-128-EU"))
        #expect(phone.warrantyMonths == 36 && phone.windowDays == 14 && phone.withdrawalDays == 14)
        let usPhone = try await fixture.client.getEffectivePolicy(.init(market: "US", sku: "ASTER-X-128-US"))
        #expect(usPhone.restockingFeeBp == 1500 && usPhone.windowDays == 15)
        let jacket = try await fixture.client.getEffectivePolicy(.init(market: "CN", productID: "prod_down_jacket"))
        #expect(jacket.windowDays == 30 && jacket.noReasonReturnDays == 7)
    }
}
