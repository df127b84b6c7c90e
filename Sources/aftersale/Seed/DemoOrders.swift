import Foundation
import ProductService
import RPCShared
import ServiceRuntime
import CustomerService

/// Delivered demo orders for the demo customers, built from the demo catalogue: each customer buys products
/// priced in their market's currency, paid by card (one Chinese customer partly with store credit), shipped
/// from the market's warehouse and delivered recently, so return windows are open when the demo starts.
///
/// Everything is derived from fixed inputs (ids, prices, a day offset per order), so seeding twice produces the
/// same orders and the second run finds them already there.
enum DemoOrders {
    struct Plan {
        var order: OrderV1.Order
        var fulfilmentID: String
        var deliveredAt: CommonV1.Timestamp
    }

    static let currencies = ["DE": "EUR", "CN": "CNY", "US": "USD"]
    /// Tax in basis points and whether prices include it (EU/CN gross prices, US net prices with sales tax).
    static let tax: [String: (bp: Int32, included: Bool)] = ["DE": (1900, true), "CN": (1300, true), "US": (888, false)]
    static let shipping: [String: Int64] = ["DE": 495, "CN": 1000, "US": 799]

    static func plans(now: Date) -> [Plan] {
        let catalogue = ProductCatalogueSeed.products
        var plans: [Plan] = []
        for (customerIndex, customer) in CustomerSeed.customers.enumerated() {
            let market = customer.request.market
            guard let currency = currencies[market] else { continue }
            let variants = catalogue.flatMap { product in
                product.variants.filter { $0.price?.currency == currency && $0.active }.map { (product, $0) }
            }
            guard !variants.isEmpty else { continue }
            for orderIndex in 0..<(customerIndex % 3 == 0 ? 2 : 1) {
                // A deterministic pick of one or two variants and quantities.
                let first = variants[(customerIndex * 7 + orderIndex * 3) % variants.count]
                let second = variants[(customerIndex * 5 + orderIndex * 11 + 1) % variants.count]
                var picks = [(first, Int32(1 + (customerIndex + orderIndex) % 2))]
                if (customerIndex + orderIndex) % 2 == 0, second.1.sku != first.1.sku { picks.append((second, 1)) }
                let daysAgo = 3 + (customerIndex * 2 + orderIndex * 9) % 18
                plans.append(plan(customer: customer.request, market: market, currency: currency, picks: picks,
                                  index: orderIndex, placedAt: now.addingTimeInterval(-Double(daysAgo) * 86_400)))
            }
        }
        return plans
    }

    private static func plan(customer: CustomerV1.CreateCustomerRequest, market: String, currency: String,
                             picks: [((ProductV1.Product, ProductV1.Variant), Int32)], index: Int, placedAt: Date) -> Plan {
        let orderID = "ord_seed_\(customer.customerID.replacingOccurrences(of: "cus_", with: ""))_\(index + 1)"
        let (taxBP, included) = tax[market] ?? (0, false)
        var lines: [OrderV1.OrderLine] = []
        for (lineIndex, pick) in picks.enumerated() {
            let ((product, variant), quantity) = pick
            let unit = variant.price?.minorUnits ?? 0
            let gross = unit * Int64(quantity)
            // A 10 % line discount on every second line, so refunds show discount proration.
            let discount = lineIndex % 2 == 1 ? MoneyMath.basisPoints(gross, 1000) : 0
            let net = gross - discount
            // Included tax is the share inside the price (net × bp / (10000 + bp)); otherwise it is added on top.
            let lineTax = included ? MoneyMath.scale(net, by: Int64(taxBP), over: 10_000 + Int64(taxBP))
                                   : MoneyMath.basisPoints(net, taxBP)
            lines.append(OrderV1.OrderLine(
                id: "\(orderID)_l\(lineIndex + 1)", sku: variant.sku, productID: product.id, categoryID: product.categoryID,
                title: "\(product.title) — \(variant.title)", quantity: quantity,
                unitPrice: .init(currency: currency, minorUnits: unit),
                lineDiscount: .init(currency: currency, minorUnits: discount),
                tax: .init(currency: currency, minorUnits: lineTax)))
        }
        let shippingCost = shipping[market] ?? 0
        let itemsTotal = lines.reduce(Int64(0)) { total, line in
            let net = (line.unitPrice?.minorUnits ?? 0) * Int64(line.quantity) - (line.lineDiscount?.minorUnits ?? 0)
            return total + net + (included ? 0 : (line.tax?.minorUnits ?? 0))
        }
        let total = itemsTotal + shippingCost
        let placed = CommonV1.Timestamp(placedAt)
        // Chinese demo customers pay a part with store credit, so refunds show the allocation order.
        var payments: [OrderV1.Payment] = []
        let credit = market == "CN" ? min(total / 5, 5_000) : 0
        payments.append(.init(id: "\(orderID)_p1", method: .card, providerReference: "sim_ch_\(orderID)",
                              captured: .init(currency: currency, minorUnits: total - credit), capturedAt: placed))
        if credit > 0 {
            payments.append(.init(id: "\(orderID)_p2", method: .storeCredit, providerReference: "wallet",
                                  captured: .init(currency: currency, minorUnits: credit), capturedAt: placed))
        }
        let fulfilmentID = "\(orderID)_f1"
        let warehouse = ProductCatalogueSeed.warehouses[market] ?? "wh_main"
        let fulfilment = OrderV1.Fulfilment(
            id: fulfilmentID, lines: lines.map { .init(orderLineID: $0.id, quantity: $0.quantity) }, warehouseID: warehouse,
            shippedAt: CommonV1.Timestamp(placedAt.addingTimeInterval(86_400)))
        let order = OrderV1.Order(
            id: orderID, customerID: customer.customerID, market: market, currency: currency, lines: lines,
            orderDiscount: .init(currency: currency, minorUnits: 0),
            shippingCost: .init(currency: currency, minorUnits: shippingCost), pricesIncludeTax: included,
            payments: payments, fulfilments: [fulfilment], shippingAddress: customer.addresses.first, placedAt: placed)
        return Plan(order: order, fulfilmentID: fulfilmentID,
                    deliveredAt: CommonV1.Timestamp(placedAt.addingTimeInterval(2 * 86_400)))
    }
}
