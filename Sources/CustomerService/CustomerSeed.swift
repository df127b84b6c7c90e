import Foundation
import RPCShared

/// Demo customers for `aftersale seed`: twelve people across the DE, CN and US markets, each with its market's
/// time zone, addresses and an account age. `CreateCustomerRequest` has no creation date, so the account age is
/// informative here: a seeder that wants old accounts creates orders placed that long ago and passes
/// `order_placed_at` to `AssessReturnRisk`, which counts the account as at least that old.
public enum CustomerSeed {
    public struct Entry: Sendable {
        /// The request that creates the customer (fixed `customer_id`, so seeding twice is ALREADY_EXISTS,
        /// not a duplicate).
        public var request: CustomerV1.CreateCustomerRequest
        /// How old the account is meant to be, in days.
        public var accountAgeDays: Int
        /// Why this customer is in the demo set.
        public var note: String

        /// When the account is meant to have begun: a seeder places the customer's first order then (and passes
        /// it as `order_placed_at`), which is what makes the account that old for the risk model.
        public func accountStart(relativeTo now: Date) -> Date {
            now.addingTimeInterval(-Double(accountAgeDays) * 86_400)
        }
    }

    public static let customers: [Entry] = [
        entry("cus_de_anna", "Anna Weber", "anna.weber@example.de", "+49 30 5550 1123", market: "DE",
              address: address("Anna Weber", "Torstraße 12", city: "Berlin", region: "BE", postal: "10119", country: "DE"),
              identity: "T22000129", age: 1_460, "long-standing customer, few returns"),
        entry("cus_de_jonas", "Jonas Müller", "jonas.mueller@example.de", "+49 89 5550 2246", market: "DE",
              address: address("Jonas Müller", "Leopoldstraße 88", city: "München", region: "BY", postal: "80802", country: "DE"),
              identity: nil, age: 730, "buys shoes in two sizes and returns one (size/fit returns)"),
        entry("cus_de_lea", "Lea Schneider", "lea.schneider@example.de", "+49 40 5550 3371", market: "DE",
              address: address("Lea Schneider", "Eppendorfer Weg 5", city: "Hamburg", region: "HH", postal: "20259", country: "DE"),
              identity: nil, age: 12, "brand-new account"),
        entry("cus_de_markus", "Markus Fischer", "m.fischer@example.de", "+49 221 5550 4480", market: "DE",
              address: address("Markus Fischer", "Aachener Straße 200", city: "Köln", region: "NW", postal: "50931", country: "DE"),
              identity: "L01X00T47", age: 2_190, "electronics buyer, warranty repairs"),
        entry("cus_cn_wang", "王芳", "wang.fang@example.cn", "+86 138 0013 5678", market: "CN",
              address: address("王芳", "朝阳区建国路 88 号", city: "北京", region: "北京市", postal: "100022", country: "CN"),
              identity: "110101199003070012", age: 1_095, "frequent buyer, 7-day no-reason returns"),
        entry("cus_cn_li", "李伟", "li.wei@example.cn", "+86 139 1122 3344", market: "CN",
              address: address("李伟", "浦东新区世纪大道 100 号", city: "上海", region: "上海市", postal: "200120", country: "CN"),
              identity: "310115198805121234", age: 400, "refund-only requests for late deliveries"),
        entry("cus_cn_zhang", "张敏", "zhang.min@example.cn", "+86 137 5566 7788", market: "CN",
              address: address("张敏", "天河区天河路 385 号", city: "广州", region: "广东省", postal: "510620", country: "CN"),
              identity: nil, age: 20, "new account with a high-value first order"),
        entry("cus_cn_chen", "陈杰", "chen.jie@example.cn", "+86 136 2233 4455", market: "CN",
              address: address("陈杰", "南山区科技园南路 2 号", city: "深圳", region: "广东省", postal: "518057", country: "CN"),
              identity: "440305199211230036", age: 1_825, "loyal customer, store-credit user"),
        entry("cus_us_emily", "Emily Johnson", "emily.johnson@example.com", "+1 212 555 0147", market: "US",
              address: address("Emily Johnson", "350 5th Ave Apt 21B", city: "New York", region: "NY", postal: "10118", country: "US"),
              identity: nil, age: 900, "apparel, exchanges for size"),
        entry("cus_us_michael", "Michael Brown", "mike.brown@example.com", "+1 617 555 0199", market: "US",
              address: address("Michael Brown", "1 Beacon St", city: "Boston", region: "MA", postal: "02108", country: "US"),
              identity: "D1234567", age: 45, "several recent cases (serial-returning pattern)"),
        entry("cus_us_sofia", "Sofia Garcia", "sofia.garcia@example.com", "+1 305 555 0123", market: "US",
              address: address("Sofia Garcia", "1200 Brickell Ave", city: "Miami", region: "FL", postal: "33131", country: "US"),
              identity: nil, age: 3_000, "rarely returns, leaves detailed feedback"),
        entry("cus_us_david", "David Kim", "david.kim@example.com", "+1 718 555 0166", market: "US",
              address: address("David Kim", "45 Main St", city: "Brooklyn", region: "NY", postal: "11201", country: "US"),
              identity: nil, age: 200, "had an inspection mismatch (empty box) once"),
    ]

    /// The IANA time zone of each seeded market.
    public static let timeZones = ["DE": "Europe/Berlin", "CN": "Asia/Shanghai", "US": "America/New_York"]

    private static func entry(_ id: String, _ name: String, _ email: String, _ phone: String, market: String,
                              address: CommonV1.Address, identity: String?, age: Int, _ note: String) -> Entry {
        var address = address
        address.phone = phone
        let request = CustomerV1.CreateCustomerRequest(
            customerID: id, name: name, email: email, phone: phone, addresses: [address], market: market,
            timeZone: timeZones[market] ?? "UTC", identityDocument: identity ?? "")
        return Entry(request: request, accountAgeDays: age, note: note)
    }

    private static func address(_ name: String, _ line: String, city: String, region: String, postal: String,
                                country: String) -> CommonV1.Address {
        CommonV1.Address(name: name, lines: [line], city: city, region: region, postalCode: postal, country: country)
    }
}
