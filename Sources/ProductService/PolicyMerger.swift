import Foundation
import RPCShared

/// Merges return policies into the one that applies to a product in a market (docs/CONTRACT.md "Policy merge"):
/// MARKET ← CATEGORY (root first, the product's own category last) ← PRODUCT, field by field; a more specific
/// policy overrides only the fields it sets (wrapper present, list non-empty). Pure: no storage, no clock.
public enum PolicyMerger {
    /// Resolutions a policy allows when no policy in the chain names any.
    public static let defaultResolutions: [OrderV1.Resolution] = [.refund, .storeCredit, .replacement, .exchange, .repair]
    /// Case kinds a policy allows when no policy in the chain names any.
    public static let defaultKinds: [OrderV1.CaseKind] = [.returnRefund, .refundOnly, .exchange, .repairWarranty]
    /// The `field_sources` value of a field no policy set.
    public static let defaultSource = "default"

    /// The policies of `candidates` that apply, least specific first: active, in `market`, in effect on
    /// `localDate` (the market's calendar), and scoped to the market, one of `categoryChain` (root first) or
    /// `productID`. Within one scope target, older `effective_from` first so a newer rule overrides it.
    public static func applicable(_ candidates: [ProductV1.ReturnPolicy], market: String, productID: String,
                                  categoryChain: [String], localDate: (year: Int, month: Int, day: Int))
        -> [ProductV1.ReturnPolicy] {
        let today = dateKey(localDate.year, localDate.month, localDate.day)
        func rank(_ policy: ProductV1.ReturnPolicy) -> Int? {
            switch policy.scope {
            case .market: return 0
            case .category: return categoryChain.firstIndex(of: policy.categoryID).map { 1 + $0 }
            case .product: return policy.productID == productID ? 1 + categoryChain.count : nil
            default: return nil
            }
        }
        return candidates
            .filter { $0.active && $0.market == market && effectiveKey($0) <= today }
            .compactMap { policy in rank(policy).map { (policy, $0) } }
            .sorted { lhs, rhs in
                if lhs.1 != rhs.1 { return lhs.1 < rhs.1 }
                let (left, right) = (effectiveKey(lhs.0), effectiveKey(rhs.0))
                if left != right { return left < right }
                return (lhs.0.updatedAt?.epochMicros ?? 0, lhs.0.id) < (rhs.0.updatedAt?.epochMicros ?? 0, rhs.0.id)
            }
            .map(\.0)
    }

    /// The merged policy; `policies` least specific first (as ``applicable(_:market:productID:categoryChain:localDate:)``
    /// returns them).
    public static func merge(_ policies: [ProductV1.ReturnPolicy], market: String, productID: String,
                             categoryID: String) -> ProductV1.EffectivePolicy {
        var result = ProductV1.EffectivePolicy(market: market, productID: productID, categoryID: categoryID)
        var sources: [String: String] = [:]
        for name in ["window_days", "final_sale", "allowed_resolutions", "allowed_kinds", "restocking_fee_bp",
                     "return_shipping_fee", "warranty_months", "no_reason_return_days", "withdrawal_days"] {
            sources[name] = defaultSource
        }
        result.allowedResolutions = defaultResolutions
        result.allowedKinds = defaultKinds
        for policy in policies {
            result.appliedPolicyIDs.append(policy.id)
            if let value = policy.windowDays { result.windowDays = clamp(value.value); sources["window_days"] = policy.id }
            if let value = policy.finalSale { result.finalSale = value.value; sources["final_sale"] = policy.id }
            if !policy.allowedResolutions.isEmpty {
                result.allowedResolutions = policy.allowedResolutions
                sources["allowed_resolutions"] = policy.id
            }
            if !policy.allowedKinds.isEmpty { result.allowedKinds = policy.allowedKinds; sources["allowed_kinds"] = policy.id }
            if let value = policy.restockingFeeBp {
                result.restockingFeeBp = clamp(value.value)
                sources["restocking_fee_bp"] = policy.id
            }
            if let value = policy.returnShippingFee { result.returnShippingFee = value; sources["return_shipping_fee"] = policy.id }
            if let value = policy.warrantyMonths { result.warrantyMonths = clamp(value.value); sources["warranty_months"] = policy.id }
            if let value = policy.noReasonReturnDays {
                result.noReasonReturnDays = clamp(value.value)
                sources["no_reason_return_days"] = policy.id
            }
            if let value = policy.withdrawalDays {
                result.withdrawalDays = clamp(value.value)
                sources["withdrawal_days"] = policy.id
            }
        }
        result.fieldSources = sources
        return result
    }

    /// yyyymmdd, so dates compare as integers; an absent `effective_from` is "always" (0).
    static func effectiveKey(_ policy: ProductV1.ReturnPolicy) -> Int {
        guard let date = policy.effectiveFrom else { return 0 }
        return dateKey(Int(date.year), Int(date.month), Int(date.day))
    }

    static func dateKey(_ year: Int, _ month: Int, _ day: Int) -> Int { year * 10_000 + month * 100 + day }

    /// Stored values are validated on upsert; the clamp only keeps Int64 → Int32 total.
    private static func clamp(_ value: Int64) -> Int32 { Int32(clamping: value) }
}
