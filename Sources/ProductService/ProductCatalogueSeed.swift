import Foundation
import RPCShared

/// A realistic demo catalogue for `aftersale seed`: six category trees (apparel with sizes, shoes, electronics
/// with warranties, home, beauty sold as final sale, books), 21 products whose variants are priced for the DE
/// (EUR), CN (CNY) and US (USD) markets, the market policies (EU 14-day withdrawal, China's 7-day no-reason
/// return, a US 30-day window), category and product overrides, and stock in one warehouse per market.
/// Ids are fixed, so loading it twice replaces rather than duplicates.
public enum ProductCatalogueSeed {
    public static let warehouses = ["DE": "wh_berlin", "CN": "wh_shanghai", "US": "wh_newark"]

    public static var categories: [ProductV1.Category] {
        [
            .init(id: "cat_apparel", name: "Apparel"),
            .init(id: "cat_apparel_tops", parentID: "cat_apparel", name: "Tops"),
            .init(id: "cat_apparel_bottoms", parentID: "cat_apparel", name: "Bottoms & dresses"),
            .init(id: "cat_apparel_outerwear", parentID: "cat_apparel", name: "Outerwear"),
            .init(id: "cat_shoes", name: "Shoes"),
            .init(id: "cat_electronics", name: "Electronics"),
            .init(id: "cat_electronics_phones", parentID: "cat_electronics", name: "Phones"),
            .init(id: "cat_electronics_audio", parentID: "cat_electronics", name: "Audio"),
            .init(id: "cat_electronics_accessories", parentID: "cat_electronics", name: "Accessories"),
            .init(id: "cat_home", name: "Home"),
            .init(id: "cat_home_appliances", parentID: "cat_home", name: "Small appliances"),
            .init(id: "cat_beauty", name: "Beauty"),
            .init(id: "cat_books", name: "Books"),
        ]
    }

    public static var products: [ProductV1.Product] {
        [
            product("prod_tee_organic", "Organic Cotton T-Shirt", "Nordfaser", "cat_apparel_tops", "sup_nordfaser",
                    sized("TEE-ORG-BLU", "Blue", ["S", "M", "L", "XL"], eur(1999), grams: 180)
                    + sized("TEE-ORG-WHT", "White", ["S", "M", "L"], eur(1999), grams: 180)),
            product("prod_hoodie_fleece", "抓绒连帽卫衣 Fleece Hoodie", "云杉 Yunshan", "cat_apparel_tops", "sup_yunshan",
                    sized("HOOD-FLC-GRY", "Grey", ["M", "L", "XL"], cny(19900), grams: 520)),
            product("prod_jeans_slim", "Slim Fit Jeans", "Indigo Lane", "cat_apparel_bottoms", "sup_indigo",
                    sized("JEANS-SLIM", "Indigo", ["30", "32", "34", "36"], usd(5900), grams: 650)),
            product("prod_dress_linen", "Linen Summer Dress", "Nordfaser", "cat_apparel_bottoms", "sup_nordfaser",
                    sized("DRESS-LIN-SND", "Sand", ["XS", "S", "M", "L"], eur(7900), grams: 300)),
            product("prod_down_jacket", "轻薄羽绒服 Light Down Jacket", "云杉 Yunshan", "cat_apparel_outerwear", "sup_yunshan",
                    sized("DOWN-JKT-BLK", "Black", ["M", "L", "XL"], cny(69900), grams: 420)),
            product("prod_trail_runner", "Trail Runner 2", "Alpkraft", "cat_shoes", "sup_alpkraft",
                    sized("TRAIL-R2", "Orange", ["40", "41", "42", "43", "44"], eur(12900), grams: 780, key: "size_eu")),
            product("prod_canvas_sneaker", "经典帆布鞋 Canvas Sneaker", "回力风 Huili Feng", "cat_shoes", "sup_huili",
                    sized("CANVAS-WHT", "White", ["38", "39", "40", "41", "42"], cny(29900), grams: 690, key: "size_eu")),
            product("prod_chelsea_boot", "Leather Chelsea Boots", "Harbor & Hide", "cat_shoes", "sup_harbor",
                    sized("CHELSEA-BRN", "Brown", ["8", "9", "10", "11"], usd(14900), grams: 1250, key: "size_us")),
            product("prod_aster_x", "Aster X Smartphone 128 GB", "Aster", "cat_electronics_phones", "sup_aster", [
                variant("ASTER-X-128-EU", "Graphite / EU", eur(69900), grams: 410, ["region": "EU", "storage": "128GB"]),
                variant("ASTER-X-128-CN", "Graphite / CN", cny(499900), grams: 410, ["region": "CN", "storage": "128GB"]),
                variant("ASTER-X-128-US", "Graphite / US", usd(69900), grams: 410, ["region": "US", "storage": "128GB"]),
            ]),
            product("prod_pulse_earbuds", "Pulse Wireless Earbuds", "Aster", "cat_electronics_audio", "sup_aster", [
                variant("PULSE-EB-EU", "White / EU", eur(8900), grams: 120, ["region": "EU"]),
                variant("PULSE-EB-CN", "White / CN", cny(59900), grams: 120, ["region": "CN"]),
            ]),
            product("prod_studio_anc", "Studio ANC Headphones", "Sonavo", "cat_electronics_audio", "sup_sonavo", [
                variant("STUDIO-ANC-BLK", "Black", usd(24900), grams: 560, ["color": "black"]),
                variant("STUDIO-ANC-SLV", "Silver", usd(24900), grams: 560, ["color": "silver"]),
            ]),
            product("prod_charger_65w", "65 W USB-C Charger", "Voltis", "cat_electronics_accessories", "sup_voltis", [
                variant("CHG-65W-EU", "EU plug", eur(3900), grams: 180, ["plug": "EU"]),
                variant("CHG-65W-CN", "CN plug", cny(14900), grams: 180, ["plug": "CN"]),
                variant("CHG-65W-US", "US plug", usd(3900), grams: 180, ["plug": "US"]),
            ]),
            product("prod_glass_kettle", "Glass Electric Kettle 1.7 l", "Hausmeister", "cat_home_appliances", "sup_hausmeister", [
                variant("KETTLE-GLS-EU", "EU plug", eur(3900), grams: 1400, ["plug": "EU"]),
            ]),
            product("prod_ceramic_vase", "手工陶瓷花瓶 Ceramic Vase", "景德窑 Jingde Kiln", "cat_home", "sup_jingde", [
                variant("VASE-CER-CEL", "Celadon", cny(12900), grams: 1600, ["color": "celadon"]),
                variant("VASE-CER-WHT", "White", cny(12900), grams: 1600, ["color": "white"]),
            ]),
            product("prod_down_duvet", "All-Season Down Duvet", "Harbor & Hide", "cat_home", "sup_harbor", [
                variant("DUVET-QUEEN", "Queen", usd(12900), grams: 2300, ["size": "queen"]),
                variant("DUVET-KING", "King", usd(15900), grams: 2700, ["size": "king"]),
            ]),
            product("prod_velvet_lipstick", "丝绒哑光口红 Velvet Matte Lipstick", "玉兰 Magnolia", "cat_beauty", "sup_magnolia", [
                variant("LIP-VLV-01", "01 Rose", cny(18900), grams: 40, ["shade": "01"]),
                variant("LIP-VLV-02", "02 Brick", cny(18900), grams: 40, ["shade": "02"]),
                variant("LIP-VLV-03", "03 Plum", cny(18900), grams: 40, ["shade": "03"]),
            ]),
            product("prod_hyaluronic_serum", "Hyaluronic Serum 30 ml", "Klarhaut", "cat_beauty", "sup_klarhaut", [
                variant("SERUM-HYA-30", "30 ml", eur(2900), grams: 90, ["volume": "30ml"]),
            ]),
            product("prod_eau_de_parfum", "Cedar Eau de Parfum 50 ml", "Maison Lune", "cat_beauty", "sup_lune", [
                variant("EDP-CEDAR-50", "50 ml", usd(8900), grams: 310, ["volume": "50ml"]),
            ]),
            product("prod_book_server_swift", "Server-Side Swift in Practice", "Pragmatic Press", "cat_books", "sup_pragmatic", [
                variant("BOOK-SSS-PB", "Paperback", eur(4500), grams: 720, ["format": "paperback"]),
            ]),
            product("prod_book_three_body", "三体 The Three-Body Problem", "重庆出版社", "cat_books", "sup_cqph", [
                variant("BOOK-3BODY-ZH", "平装", cny(6800), grams: 560, ["format": "paperback", "language": "zh"]),
            ]),
            product("prod_book_cookbook", "Weeknight Dumplings Cookbook", "Harbor Books", "cat_books", "sup_harborbooks", [
                variant("BOOK-DUMP-HC", "Hardcover", usd(2999), grams: 950, ["format": "hardcover"]),
            ]),
        ]
    }

    public static var policies: [ProductV1.ReturnPolicy] {
        let all: [OrderV1.Resolution] = [.refund, .storeCredit, .exchange, .replacement, .repair]
        return [
            // Markets.
            policy("pol_de_market", "Germany: 30-day returns, EU 14-day withdrawal, 24-month legal guarantee", .market, "DE") {
                $0.windowDays = number(30)
                $0.withdrawalDays = number(14)
                $0.warrantyMonths = number(24)
                $0.finalSale = .init(value: false)
                $0.restockingFeeBp = number(0)
                $0.returnShippingFee = eur(495)
                $0.allowedResolutions = all
                $0.allowedKinds = [.returnRefund, .refundOnly, .exchange, .repairWarranty]
            },
            policy("pol_cn_market", "China: 七天无理由退货, 15-day merchant return window, 12-month 三包 warranty", .market, "CN") {
                $0.windowDays = number(15)
                $0.noReasonReturnDays = number(7)
                $0.warrantyMonths = number(12)
                $0.finalSale = .init(value: false)
                $0.restockingFeeBp = number(0)
                $0.returnShippingFee = cny(1200)
                $0.allowedResolutions = all
                $0.allowedKinds = [.returnRefund, .refundOnly, .exchange, .repairWarranty]
            },
            policy("pol_us_market", "United States: 30-day returns, 12-month warranty", .market, "US") {
                $0.windowDays = number(30)
                $0.warrantyMonths = number(12)
                $0.finalSale = .init(value: false)
                $0.restockingFeeBp = number(0)
                $0.returnShippingFee = usd(695)
                $0.allowedResolutions = all
                $0.allowedKinds = [.returnRefund, .refundOnly, .exchange, .repairWarranty]
            },
            // Categories.
            policy("pol_us_electronics", "US electronics: 15 days, 15 % restocking fee", .category, "US", category: "cat_electronics") {
                $0.windowDays = number(15)
                $0.restockingFeeBp = number(1500)
            },
            policy("pol_de_electronics", "DE electronics: merchant window = withdrawal period", .category, "DE", category: "cat_electronics") {
                $0.windowDays = number(14)
            },
            policy("pol_us_shoes", "US shoes: 60-day fit guarantee, free return shipping", .category, "US", category: "cat_shoes") {
                $0.windowDays = number(60)
                $0.returnShippingFee = usd(0)
            },
            policy("pol_de_beauty", "DE beauty: final sale (withdrawal period still applies)", .category, "DE", category: "cat_beauty") {
                $0.finalSale = .init(value: true)
                $0.allowedResolutions = [.refund, .replacement]
            },
            policy("pol_cn_beauty", "CN beauty: final sale, exempt from 七天无理由 once opened", .category, "CN", category: "cat_beauty") {
                $0.finalSale = .init(value: true)
                $0.noReasonReturnDays = number(0)
                $0.allowedResolutions = [.refund, .replacement]
            },
            policy("pol_us_beauty", "US beauty: final sale", .category, "US", category: "cat_beauty") {
                $0.finalSale = .init(value: true)
                $0.allowedResolutions = [.refund, .replacement]
            },
            policy("pol_cn_books", "CN books: exchange or refund only, no repair", .category, "CN", category: "cat_books") {
                $0.allowedResolutions = [.refund, .storeCredit, .replacement]
                $0.warrantyMonths = number(0)
            },
            // Products.
            policy("pol_de_aster_x", "Aster X in DE: manufacturer's 36-month warranty", .product, "DE", product: "prod_aster_x") {
                $0.warrantyMonths = number(36)
            },
            policy("pol_cn_down_jacket", "Down jacket in CN: winter promotion, 30-day window", .product, "CN", product: "prod_down_jacket") {
                $0.windowDays = number(30)
            },
        ]
    }

    /// Opening stock: every SKU in the warehouse of the market its price is in.
    public static var stock: [ProductV1.AdjustStockRequest] {
        let warehouseByCurrency = ["EUR": "wh_berlin", "CNY": "wh_shanghai", "USD": "wh_newark"]
        return products.flatMap(\.variants).enumerated().map { index, variant in
            ProductV1.AdjustStockRequest(sku: variant.sku,
                                         warehouseID: warehouseByCurrency[variant.price?.currency ?? ""] ?? "wh_berlin",
                                         delta: Int32(12 + (index * 37) % 140), reason: "seed: opening stock")
        }
    }

    /// Loads everything through `client`: categories (parents first), products, policies, then stock. Stock
    /// deltas use fixed idempotency keys (`seed-v1:stock:<sku>:<warehouse>`), so loading twice does not double
    /// them; upserts replace by id. `base` carries the deadline and metadata (e.g. `authorization`) of every call.
    public static func load(into client: ProductV1.ProductService.Client,
                            base: CallOptions = CallOptions(timeout: .seconds(10)), actor: String = "seed") async throws {
        func options(_ key: String = "seed-\(UUID().uuidString)") -> CallOptions {
            var options = base
            options.metadata.set("idempotency-key", key)
            return options
        }
        for category in categories {
            _ = try await client.upsertCategory(.init(category: category), options: options())
        }
        for product in products {
            _ = try await client.upsertProduct(.init(product: product), options: options())
        }
        for policy in policies {
            _ = try await client.upsertPolicy(.init(policy: policy, actor: .init(kind: .system, id: actor)), options: options())
        }
        for request in stock {
            _ = try await client.adjustStock(request, options: options("seed-v1:stock:\(request.sku):\(request.warehouseID)"))
        }
    }

    // MARK: Builders

    static func product(_ id: String, _ title: String, _ brand: String, _ category: String, _ supplier: String,
                        _ variants: [ProductV1.Variant]) -> ProductV1.Product {
        ProductV1.Product(id: id, title: title, brand: brand, categoryID: category, supplierID: supplier,
                          variants: variants.map { var variant = $0; variant.productID = id; return variant })
    }

    static func variant(_ sku: String, _ title: String, _ price: CommonV1.Money, grams: Int32,
                        _ attributes: [String: String]) -> ProductV1.Variant {
        ProductV1.Variant(sku: sku, title: title, price: price, weightGrams: grams, attributes: attributes, active: true)
    }

    static func sized(_ prefix: String, _ color: String, _ sizes: [String], _ price: CommonV1.Money, grams: Int32,
                      key: String = "size") -> [ProductV1.Variant] {
        sizes.map { variant("\(prefix)-\($0)", "\(color) / \($0)", price, grams: grams, ["color": color.lowercased(), key: $0]) }
    }

    static func policy(_ id: String, _ name: String, _ scope: ProductV1.PolicyScope, _ market: String,
                       category: String = "", product: String = "",
                       _ configure: (inout ProductV1.ReturnPolicy) -> Void) -> ProductV1.ReturnPolicy {
        var policy = ProductV1.ReturnPolicy(id: id, name: name, scope: scope, market: market, categoryID: category,
                                            productID: product)
        policy.active = true
        configure(&policy)
        return policy
    }

    static func number(_ value: Int64) -> CommonV1.Int64Value { .init(value: value) }
    static func eur(_ minor: Int64) -> CommonV1.Money { .init(currency: "EUR", minorUnits: minor) }
    static func cny(_ minor: Int64) -> CommonV1.Money { .init(currency: "CNY", minorUnits: minor) }
    static func usd(_ minor: Int64) -> CommonV1.Money { .init(currency: "USD", minorUnits: minor) }
}
