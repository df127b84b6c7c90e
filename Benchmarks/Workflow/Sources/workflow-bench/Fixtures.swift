import Foundation
import RPCShared

/// One returnable unit: a workflow opens a case for one unit of `orderLineID`.
struct Unit: Sendable {
    var customerID: String
    var orderID: String
    var orderLineID: String
}

/// Sets up benchmark data directly in CustomerService and OrderService, outside any measurement: US customers
/// and delivered US orders of the seeded catalogue's Slim Fit Jeans (the US market policy: 30-day window, refund
/// allowed), shaped like `Sources/aftersale/Seed/DemoOrders.swift` (card payment, one fulfilment from wh_newark,
/// placed 3 days ago, delivered yesterday). Each order has one line of `unitsPerOrder` units; each customer
/// `ordersPerCustomer` orders — small, because OrderService's ledger and the gateway's risk step (which lists the
/// customer's orders) grow with them.
struct Fixtures: Sendable {
    let orders: OrderV1.OrderService.Client
    let customers: CustomerV1.CustomerService.Client
    let options: Options
    let base: CallOptions

    /// The seeded catalogue's US jeans (`ProductCatalogueSeed`: prod_jeans_slim, USD 59.00, 650 g).
    static let skus = ["JEANS-SLIM-30", "JEANS-SLIM-32", "JEANS-SLIM-34", "JEANS-SLIM-36"]
    static let unitPrice: Int64 = 5_900
    static let taxBP: Int64 = 888       // US sales tax on top (DemoOrders.tax["US"])
    static let shipping: Int64 = 799

    /// At least `count` units in fresh orders of fresh customers, interleaved so that consecutive units belong to
    /// different orders and customers (concurrent workers do not contend on one order's version).
    func make(count: Int, batch: String) async throws -> (units: [Unit], customers: Int, orders: Int) {
        let perOrder = Int(options.unitsPerOrder)
        let orderCount = max((count + perOrder - 1) / perOrder, 4 * options.concurrency)
        let customerCount = max((orderCount + options.ordersPerCustomer - 1) / options.ordersPerCustomer, 1)
        let prefix = "bench_\(options.runID)_\(batch)"
        let customerIDs = (0..<customerCount).map { "cus_\(prefix)_\($0)" }
        try await parallel(customerCount) { index in
            try await createCustomer(customerIDs[index], index: index)
        }
        let now = Date()
        try await parallel(orderCount) { index in
            try await createDeliveredOrder("ord_\(prefix)_\(index)", customerID: customerIDs[index % customerCount],
                                           sku: Self.skus[index % Self.skus.count], now: now)
        }
        var units: [Unit] = []
        units.reserveCapacity(orderCount * perOrder)
        for _ in 0..<perOrder {
            for index in 0..<orderCount {
                let orderID = "ord_\(prefix)_\(index)"
                units.append(Unit(customerID: customerIDs[index % customerCount], orderID: orderID, orderLineID: orderID + "_l1"))
            }
        }
        return (units, customerCount, orderCount)
    }

    private func createCustomer(_ id: String, index: Int) async throws {
        let address = CommonV1.Address(name: "Bench Customer \(index)", lines: ["\(100 + index % 900) Broadway"],
                                       city: "New York", region: "NY", postalCode: "10012", country: "US",
                                       phone: "+1 212 555 0100")
        let request = CustomerV1.CreateCustomerRequest(
            customerID: id, name: "Bench Customer \(index)", email: "\(id)@example.com", phone: "+1 212 555 0100",
            addresses: [address], market: "US", timeZone: "America/New_York")
        _ = try await customers.createCustomer(request, options: keyed("setup:customer:\(id)"))
    }

    private func createDeliveredOrder(_ id: String, customerID: String, sku: String, now: Date) async throws {
        let quantity = options.unitsPerOrder
        let placed = now.addingTimeInterval(-3 * 86_400)
        let gross = Self.unitPrice * Int64(quantity)
        let tax = (gross * Self.taxBP + 5_000) / 10_000   // half up, as MoneyMath.basisPoints
        let total = gross + tax + Self.shipping
        let line = OrderV1.OrderLine(
            id: id + "_l1", sku: sku, productID: "prod_jeans_slim", categoryID: "cat_apparel_bottoms",
            title: "Slim Fit Jeans — Indigo / \(sku.split(separator: "-").last ?? "")", quantity: quantity,
            unitPrice: usd(Self.unitPrice), lineDiscount: usd(0), tax: usd(tax))
        let address = CommonV1.Address(name: "Bench Customer", lines: ["100 Broadway"], city: "New York", region: "NY",
                                       postalCode: "10012", country: "US", phone: "+1 212 555 0100")
        let fulfilmentID = id + "_f1"
        let order = OrderV1.Order(
            id: id, customerID: customerID, market: "US", currency: "USD", lines: [line], orderDiscount: usd(0),
            shippingCost: usd(Self.shipping), pricesIncludeTax: false,
            payments: [.init(id: id + "_p1", method: .card, providerReference: "sim_ch_\(id)", captured: usd(total),
                             capturedAt: timestamp(placed))],
            fulfilments: [.init(id: fulfilmentID, lines: [.init(orderLineID: line.id, quantity: quantity)],
                                warehouseID: "wh_newark", shippedAt: timestamp(placed.addingTimeInterval(86_400)))],
            shippingAddress: address, placedAt: timestamp(placed))
        _ = try await orders.createOrder(.init(order: order), options: keyed("setup:order:\(id)"))
        _ = try await orders.markDelivered(.init(orderID: id, fulfilmentID: fulfilmentID,
                                                 deliveredAt: timestamp(now.addingTimeInterval(-86_400))),
                                           options: keyed("setup:delivered:\(id)"))
    }

    /// Runs `body(0..<count)` with at most `setupConcurrency` calls in flight; the first failure ends the setup.
    private func parallel(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<min(options.setupConcurrency, count) {
                let index = next
                group.addTask { try await body(index) }
                next += 1
            }
            while try await group.next() != nil {
                if next < count {
                    let index = next
                    group.addTask { try await body(index) }
                    next += 1
                }
            }
        }
    }

    private func keyed(_ key: String) -> CallOptions {
        var options = base
        options.metadata.set("idempotency-key", "\(self.options.runID):\(key)")
        return options
    }
}

func usd(_ minor: Int64) -> CommonV1.Money { .init(currency: "USD", minorUnits: minor) }

func timestamp(_ date: Date) -> CommonV1.Timestamp {
    let seconds = date.timeIntervalSince1970
    let whole = seconds.rounded(.down)
    return .init(seconds: Int64(whole), nanos: Int32(min((seconds - whole) * 1e9, 999_999_999)))
}
