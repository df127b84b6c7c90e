import Foundation
import ProductService
import RPCShared
import Testing

/// MARKET ← CATEGORY (root first) ← PRODUCT, field by field, with the source of every value.
@Suite struct PolicyMergerTests {
    static func policy(_ id: String, _ scope: ProductV1.PolicyScope, category: String = "", product: String = "",
                       market: String = "DE", active: Bool = true, effective: (Int32, Int32, Int32)? = nil,
                       _ configure: (inout ProductV1.ReturnPolicy) -> Void = { _ in }) -> ProductV1.ReturnPolicy {
        var policy = ProductV1.ReturnPolicy(id: id, name: id, scope: scope, market: market, categoryID: category,
                                            productID: product)
        policy.active = active
        policy.effectiveFrom = effective.map { CommonV1.Date(year: $0.0, month: $0.1, day: $0.2) }
        configure(&policy)
        return policy
    }

    static let today = (year: 2026, month: 3, day: 10)
    static let chain = ["cat_root", "cat_shoes"]

    static let candidates: [ProductV1.ReturnPolicy] = [
        policy("pol_product", .product, product: "prod_1") { $0.restockingFeeBp = .init(value: 500) },
        policy("pol_shoes", .category, category: "cat_shoes") { $0.windowDays = .init(value: 60) },
        policy("pol_root", .category, category: "cat_root") {
            $0.windowDays = .init(value: 45)
            $0.warrantyMonths = .init(value: 12)
        },
        policy("pol_de", .market) {
            $0.windowDays = .init(value: 30)
            $0.withdrawalDays = .init(value: 14)
            $0.warrantyMonths = .init(value: 24)
            $0.allowedResolutions = [.refund, .exchange]
            $0.returnShippingFee = .init(currency: "EUR", minorUnits: 495)
        },
        policy("pol_fr", .market, market: "FR") { $0.windowDays = .init(value: 99) },
        policy("pol_other_product", .product, product: "prod_2") { $0.finalSale = .init(value: true) },
        policy("pol_inactive", .category, category: "cat_shoes", active: false) { $0.windowDays = .init(value: 1) },
        policy("pol_future", .market, effective: (2026, 3, 11)) { $0.windowDays = .init(value: 2) },
    ]

    @Test func mergesFieldByFieldWithSources() {
        let applicable = PolicyMerger.applicable(Self.candidates, market: "DE", productID: "prod_1",
                                                 categoryChain: Self.chain, localDate: Self.today)
        #expect(applicable.map(\.id) == ["pol_de", "pol_root", "pol_shoes", "pol_product"])
        let merged = PolicyMerger.merge(applicable, market: "DE", productID: "prod_1", categoryID: "cat_shoes")
        #expect(merged.windowDays == 60 && merged.withdrawalDays == 14 && merged.warrantyMonths == 12)
        #expect(merged.restockingFeeBp == 500 && merged.allowedResolutions == [.refund, .exchange])
        #expect(merged.returnShippingFee == .init(currency: "EUR", minorUnits: 495))
        #expect(merged.appliedPolicyIDs == ["pol_de", "pol_root", "pol_shoes", "pol_product"])
        #expect(merged.fieldSources["window_days"] == "pol_shoes")
        #expect(merged.fieldSources["warranty_months"] == "pol_root")
        #expect(merged.fieldSources["withdrawal_days"] == "pol_de")
        #expect(merged.fieldSources["restocking_fee_bp"] == "pol_product")
        #expect(merged.fieldSources["allowed_kinds"] == PolicyMerger.defaultSource)
        #expect(merged.allowedKinds == PolicyMerger.defaultKinds)
        #expect(merged.fieldSources["final_sale"] == PolicyMerger.defaultSource && !merged.finalSale)
    }

    @Test func aSetFalseOverridesAnInheritedTrue() {
        let policies = [
            Self.policy("pol_de", .market) { $0.finalSale = .init(value: true) },
            Self.policy("pol_p", .product, product: "prod_1") { $0.finalSale = .init(value: false) },
        ]
        let merged = PolicyMerger.merge(policies, market: "DE", productID: "prod_1", categoryID: "c")
        #expect(!merged.finalSale && merged.fieldSources["final_sale"] == "pol_p")
    }

    @Test func aNewerRuleOfTheSameScopeOverridesOnceInEffect() {
        let tomorrow = (year: 2026, month: 3, day: 11)
        let applicable = PolicyMerger.applicable(Self.candidates, market: "DE", productID: "prod_1",
                                                 categoryChain: Self.chain, localDate: tomorrow)
        #expect(applicable.map(\.id) == ["pol_de", "pol_future", "pol_root", "pol_shoes", "pol_product"])
    }

    @Test func nothingAppliesInAMarketWithoutPolicies() {
        #expect(PolicyMerger.applicable(Self.candidates, market: "US", productID: "prod_1", categoryChain: Self.chain,
                                        localDate: Self.today).isEmpty)
    }
}
