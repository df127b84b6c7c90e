import AfterSaleTestSupport
import Foundation
import Gateway
import ProductService
import RPCShared
import ServiceRuntime

/// What the gateway tests run against: the in-process ``GatewayHarness`` (the real handlers on sockets) or the
/// ``ProcessSystem`` (six real processes). Both offer downstream clients with the rights of a service, gateway
/// clients for any role, and the same test data.
protocol GatewaySystem: Sendable {
    /// Clients of the five services, as a trusted service.
    var downstream: Downstream { get }
    /// The gateway as `subject` in `role` sees it.
    func client(role: Role, subject: String) -> GatewayV1.AfterSaleGateway.Client
    /// "Now" for test data (the harness may run on a fixed clock).
    var now: Date { get }
    func stop() async
}

extension GatewaySystem {
    /// Another backend holding a service token: may call everything.
    var service: GatewayV1.AfterSaleGateway.Client { client(role: .service, subject: "storefront") }

    // MARK: Data

    /// The demo catalogue: categories, 21 products priced in EUR/CNY/USD, the market policies (DE 30-day window,
    /// beauty final sale, …) and opening stock.
    func seedCatalogue() async throws {
        try await ProductCatalogueSeed.load(into: downstream.product)
    }

    /// A customer of `market` in its market's time zone (CustomerService masks its contact data).
    @discardableResult
    func createCustomer(_ id: String = "cus_\(UUID().uuidString.prefix(8).lowercased())", market: String = "DE",
                        timeZone: String? = nil) async throws -> CustomerV1.Customer {
        let zones = ["DE": "Europe/Berlin", "CN": "Asia/Shanghai", "US": "America/New_York"]
        let address = CommonV1.Address(name: "Test \(id)", lines: ["Teststraße 1"], city: "Berlin", postalCode: "10115",
                                       country: market)
        return try await downstream.customer.createCustomer(
            .init(customerID: id, name: "Test \(id)", email: "\(id)@example.com", phone: "+49 30 5550 0000",
                  addresses: [address], market: market, timeZone: timeZone ?? zones[market] ?? "UTC"),
            options: .mutating())
    }

    /// A delivered order for `customer` (created in CustomerService first unless `createCustomer` is false):
    /// CreateOrder → RecordFulfilment (every unit) → MarkDelivered `deliveredDaysAgo` days ago. Lines take their
    /// price and product from the demo catalogue (``seedCatalogue()``), in `market`'s currency.
    func createDeliveredOrder(customer customerID: String = "cus_\(UUID().uuidString.prefix(8).lowercased())",
                              market: String = "DE", lines: [(sku: String, quantity: Int32)] = TestBasket.defaultLines,
                              deliveredDaysAgo: Double = 2, createCustomer: Bool = true) async throws -> OrderV1.Order {
        if createCustomer {
            do { try await self.createCustomer(customerID, market: market) } catch let error as RPCError where error.code == .alreadyExists {}
        }
        let currency = ["DE": "EUR", "CN": "CNY", "US": "USD"][market] ?? "EUR"
        let catalogue = ProductCatalogueSeed.products
        let orderID = "ord_\(UUID().uuidString.prefix(12).lowercased())"
        var orderLines: [OrderV1.OrderLine] = []
        for (index, line) in lines.enumerated() {
            let product = catalogue.first { $0.variants.contains { $0.sku == line.sku } }
            let price = product?.variants.first { $0.sku == line.sku }?.price ?? .init(currency: currency, minorUnits: 1000)
            orderLines.append(.init(id: "\(orderID)_l\(index + 1)", sku: line.sku, productID: product?.id ?? "",
                                    categoryID: product?.categoryID ?? "", title: product?.title ?? line.sku,
                                    quantity: line.quantity, unitPrice: price,
                                    lineDiscount: .init(currency: currency, minorUnits: 0),
                                    tax: .init(currency: currency, minorUnits: 0)))
        }
        let shipping: Int64 = 495
        let total = orderLines.reduce(shipping) { $0 + ($1.unitPrice?.minorUnits ?? 0) * Int64($1.quantity) }
        let placedAt = now.addingTimeInterval(-(deliveredDaysAgo + 2) * 86_400)
        let placed = CommonV1.Timestamp(placedAt)
        let created = try await downstream.order.createOrder(.init(order: .init(
            id: orderID, customerID: customerID, market: market, currency: currency, lines: orderLines,
            orderDiscount: .init(currency: currency, minorUnits: 0), shippingCost: .init(currency: currency, minorUnits: shipping),
            pricesIncludeTax: market != "US",
            payments: [.init(id: "\(orderID)_p1", method: .card, providerReference: "sim_ch_\(orderID)",
                             captured: .init(currency: currency, minorUnits: total), capturedAt: placed)],
            shippingAddress: .init(name: "Test", lines: ["Teststraße 1"], city: "Berlin", postalCode: "10115", country: market),
            placedAt: placed)), options: .mutating())
        let fulfilmentID = "\(orderID)_f1"
        let shipped = try await downstream.order.recordFulfilment(.init(
            orderID: orderID, expectedVersion: created.version,
            fulfilment: .init(id: fulfilmentID, lines: orderLines.map { .init(orderLineID: $0.id, quantity: $0.quantity) },
                              warehouseID: ProductCatalogueSeed.warehouses[market] ?? "wh_berlin",
                              shippedAt: CommonV1.Timestamp(placedAt.addingTimeInterval(86_400)))),
            options: .mutating())
        return try await downstream.order.markDelivered(.init(
            orderID: orderID, expectedVersion: shipped.version, fulfilmentID: fulfilmentID,
            deliveredAt: CommonV1.Timestamp(now.addingTimeInterval(-deliveredDaysAgo * 86_400))),
            options: .mutating())
    }

    /// A case opened directly in OrderService (no eligibility check, no risk assessment): `quantity` units of the
    /// order's first line, returned for a refund.
    func openCaseDirectly(_ order: OrderV1.Order, line: Int = 0, quantity: Int32 = 1,
                          kind: OrderV1.CaseKind = .returnRefund, resolution: OrderV1.Resolution = .refund) async throws -> OrderV1.Case {
        try await downstream.order.openCase(.init(
            orderID: order.id, customerID: order.customerID, kind: kind,
            lines: [.init(orderLineID: order.lines[line].id, quantity: quantity, reason: .changedMind,
                          reasonText: "does not fit", requestedResolution: resolution)],
            actor: .init(kind: .customer, id: order.customerID)), options: .mutating())
    }
}

enum TestBasket {
    /// The default basket (DE, EUR, gross prices): 2 × organic tee (apparel, 30-day window) and 1 × glass kettle
    /// (home appliances): both returnable for a while after delivery.
    static let defaultLines: [(sku: String, quantity: Int32)] = [("TEE-ORG-BLU-M", 2), ("KETTLE-GLS-EU", 1)]
}
