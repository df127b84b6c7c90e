import Foundation
import RPCShared

/// One returnable unit: a workflow opens a case for one unit of `orderLineID`.
struct Unit: Sendable {
    var customerID: String
    var orderID: String
    var orderLineID: String
    var reason: OrderV1.ReasonCode
}

/// What a benchmark order holds. Jeans returned for SIZE_FIT score low on the return-risk model (a new account, a
/// small case) and are auto-approved at opening; a phone returned as DEFECTIVE without photos scores ≥ 30 (case value
/// at the high-value threshold, missing evidence, a new account): INSPECT_FIRST, so the case stays REQUESTED and the
/// agent's ApproveCase runs.
struct Item: Sendable {
    var sku: String
    var productID: String
    var categoryID: String
    var title: String
    var unitPrice: Int64
    var reason: OrderV1.ReasonCode

    /// The seeded catalogue's US jeans (prod_jeans_slim, USD 59.00; US market policy: 30 days, refunds allowed).
    static func jeans(_ index: Int) -> Item {
        let size = ["30", "32", "34", "36"][index % 4]
        return Item(sku: "JEANS-SLIM-\(size)", productID: "prod_jeans_slim", categoryID: "cat_apparel_bottoms",
                    title: "Slim Fit Jeans — Indigo / \(size)", unitPrice: 5_900, reason: .sizeFit)
    }

    /// The seeded catalogue's US phone (prod_aster_x, USD 699.00; US electronics: 15 days, 15 % restocking fee).
    static let phone = Item(sku: "ASTER-X-128-US", productID: "prod_aster_x", categoryID: "cat_electronics_phones",
                            title: "Aster X Smartphone 128 GB — Graphite / US", unitPrice: 69_900, reason: .defective)
}

/// Sets up benchmark data directly in CustomerService and OrderService, outside any measurement: US customers
/// and delivered US orders of seeded catalogue items (``Item``), shaped like `Sources/aftersale/Seed/DemoOrders.swift` (card payment, one fulfilment from wh_newark,
/// placed 3 days ago, delivered yesterday). Each order has one line of `unitsPerOrder` units of which
/// `casesPerOrder` are returned; each customer has `ordersPerCustomer` orders. By default (1 case per order, 1 order
/// per customer) every workflow is a customer's first return, so the risk model's inputs do not drift during a run
/// (a customer's second case within 30 days raises `recent_cases` and `return_rate` and goes to review).
struct Fixtures: Sendable {
    let orders: OrderV1.OrderService.Client
    let customers: CustomerV1.CustomerService.Client
    let options: Options
    let base: CallOptions

    static let taxBP: Int64 = 888       // US sales tax on top (DemoOrders.tax["US"])
    static let shipping: Int64 = 799

    /// At least `count` units in fresh orders of fresh customers, interleaved so that consecutive units belong to
    /// different orders and customers (concurrent workers do not contend on one order's version).
    func make(count: Int, batch: String) async throws -> (units: [Unit], customers: Int, orders: Int) {
        let perOrder = min(options.casesPerOrder, Int(options.unitsPerOrder))
        let orderCount = max((count + perOrder - 1) / perOrder, 4 * options.concurrency)
        let customerCount = max((orderCount + options.ordersPerCustomer - 1) / options.ordersPerCustomer, 1)
        let prefix = "bench_\(options.runID)_\(batch)"
        let customerIDs = (0..<customerCount).map { "cus_\(prefix)_\($0)" }
        try await parallel(customerCount) { index in
            try await createCustomer(customerIDs[index], index: index)
        }
        let now = Date()
        let items = (0..<orderCount).map(item)
        try await parallel(orderCount) { index in
            try await createDeliveredOrder("ord_\(prefix)_\(index)", customerID: customerIDs[index % customerCount],
                                           item: items[index], now: now)
        }
        var units: [Unit] = []
        units.reserveCapacity(orderCount * perOrder)
        for _ in 0..<perOrder {
            for index in 0..<orderCount {
                let orderID = "ord_\(prefix)_\(index)"
                units.append(Unit(customerID: customerIDs[index % customerCount], orderID: orderID, orderLineID: orderID + "_l1",
                                  reason: items[index].reason))
            }
        }
        return (units, customerCount, orderCount)
    }

    /// Order `index`'s item: `agentShare` of the orders (spread evenly) are phones, the rest jeans.
    private func item(_ index: Int) -> Item {
        let share = options.agentShare
        let phones = (Double(index + 1) * share).rounded(.down) - (Double(index) * share).rounded(.down)
        return phones >= 1 ? .phone : .jeans(index)
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

    private func createDeliveredOrder(_ id: String, customerID: String, item: Item, now: Date) async throws {
        let quantity = options.unitsPerOrder
        let placed = now.addingTimeInterval(-3 * 86_400)
        let gross = item.unitPrice * Int64(quantity)
        let tax = (gross * Self.taxBP + 5_000) / 10_000   // half up, as MoneyMath.basisPoints
        let total = gross + tax + Self.shipping
        let line = OrderV1.OrderLine(
            id: id + "_l1", sku: item.sku, productID: item.productID, categoryID: item.categoryID, title: item.title,
            quantity: quantity, unitPrice: usd(item.unitPrice), lineDiscount: usd(0), tax: usd(tax))
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
