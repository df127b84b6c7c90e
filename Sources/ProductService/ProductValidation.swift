import Foundation
import RPCShared
import ServiceRuntime

/// Checks ProductService requests share beyond ``FieldValidator``'s basics.
extension FieldValidator {
    /// An enum that may be UNSPECIFIED but must otherwise be known to this server.
    mutating func knownOrUnspecified<E: ProtoEnum>(_ value: E, _ field: String) {
        if value.rawValue != 0 && value.protoName == nil { fail(field, "has unknown value \(value.rawValue)") }
    }

    /// A required ISO 3166-1 alpha-2 market.
    mutating func market(_ code: String, _ field: String, required: Bool = true) {
        if code.isEmpty {
            if required { fail(field, "is required (ISO 3166-1 alpha-2, e.g. DE)") }
        } else if !MarketCalendar.isMarketCode(code) {
            fail(field, "must be an ISO 3166-1 alpha-2 code such as DE, got '\(code.prefix(16))'")
        }
    }

    /// A present wrapper's value in `bounds`.
    mutating func wrapped(_ value: CommonV1.Int64Value?, _ bounds: ClosedRange<Int64>, _ field: String) {
        if let value { range(value.value, bounds, field + ".value") }
    }

    /// A calendar date that exists.
    mutating func calendarDate(_ date: CommonV1.Date?, _ field: String) {
        guard let date else { return }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let components = DateComponents(year: Int(date.year), month: Int(date.month), day: Int(date.day))
        if !(1970...9999).contains(date.year) || !(1...12).contains(date.month) || !(1...31).contains(date.day)
            || !components.isValidDate(in: calendar) {
            fail(field, "is not a valid date (\(date.year)-\(date.month)-\(date.day))")
        }
    }

    /// A product, with its variants.
    mutating func product(_ product: ProductV1.Product?, _ field: String) {
        guard let product else { return fail(field, "is required") }
        optionalIdentifier(product.id, field + ".id")
        name(product.title, field + ".title", required: true)
        name(product.brand, field + ".brand")
        identifier(product.categoryID, field + ".category_id")
        optionalIdentifier(product.supplierID, field + ".supplier_id")
        count(product.variants, field + ".variants", required: true)
        var seen = Set<String>()
        for (index, variant) in product.variants.enumerated() {
            let path = "\(field).variants[\(index)]"
            identifier(variant.sku, path + ".sku")
            if !variant.sku.isEmpty && !seen.insert(variant.sku).inserted { fail(path + ".sku", "repeats SKU \(variant.sku)") }
            if !variant.productID.isEmpty && !product.id.isEmpty && variant.productID != product.id {
                fail(path + ".product_id", "must be empty or \(product.id), got \(variant.productID)")
            }
            name(variant.title, path + ".title")
            money(variant.price, path + ".price")
            nonNegative(variant.weightGrams, path + ".weight_grams")
            count(variant.attributes, path + ".attributes", max: 50)
            for (key, value) in variant.attributes.sorted(by: { $0.key < $1.key }) {
                name(key, path + ".attributes[\(key.prefix(32))]", required: true)
                name(value, path + ".attributes[\(key.prefix(32))]")
            }
        }
    }

    /// A return policy: scope and its target, value ranges, enums, fee.
    mutating func policy(_ policy: ProductV1.ReturnPolicy?, _ field: String) {
        guard let policy else { return fail(field, "is required") }
        optionalIdentifier(policy.id, field + ".id")
        name(policy.name, field + ".name")
        known(policy.scope, field + ".scope")
        market(policy.market, field + ".market")
        switch policy.scope {
        case .market:
            require(policy.categoryID.isEmpty, field + ".category_id", "must be empty for MARKET scope")
            require(policy.productID.isEmpty, field + ".product_id", "must be empty for MARKET scope")
        case .category:
            identifier(policy.categoryID, field + ".category_id")
            require(policy.productID.isEmpty, field + ".product_id", "must be empty for CATEGORY scope")
        case .product:
            identifier(policy.productID, field + ".product_id")
            require(policy.categoryID.isEmpty, field + ".category_id", "must be empty for PRODUCT scope")
        default: break
        }
        wrapped(policy.windowDays, 0...3650, field + ".window_days")
        wrapped(policy.restockingFeeBp, 0...10_000, field + ".restocking_fee_bp")
        wrapped(policy.warrantyMonths, 0...600, field + ".warranty_months")
        wrapped(policy.noReasonReturnDays, 0...365, field + ".no_reason_return_days")
        wrapped(policy.withdrawalDays, 0...365, field + ".withdrawal_days")
        count(policy.allowedResolutions, field + ".allowed_resolutions", max: 16)
        for (index, resolution) in policy.allowedResolutions.enumerated() {
            known(resolution, "\(field).allowed_resolutions[\(index)]")
            if resolution == .declined { fail("\(field).allowed_resolutions[\(index)]", "DECLINED is not a remedy a policy can offer") }
        }
        count(policy.allowedKinds, field + ".allowed_kinds", max: 16)
        for (index, kind) in policy.allowedKinds.enumerated() { known(kind, "\(field).allowed_kinds[\(index)]") }
        money(policy.returnShippingFee, field + ".return_shipping_fee", required: false)
        calendarDate(policy.effectiveFrom, field + ".effective_from")
    }

    /// The page request of a list call.
    mutating func page(_ page: CommonV1.PageRequest?) {
        if let page { nonNegative(page.pageSize, "page.page_size") }
    }
}
