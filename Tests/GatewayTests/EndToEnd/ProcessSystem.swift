import AfterSaleTestSupport
import Foundation
import ProductService
import RPCShared
import Testing

/// The whole system as real processes: each of the six `aftersale serve <name>` on `DIR/run/<name>.sock` with its
/// database in `DIR/data`, every peer address in the environment, the test keys. Any one can be killed with
/// SIGKILL and started again on the same socket and database.
final class ProcessSystem: @unchecked Sendable {
    // @unchecked: `processes` is only touched by the one test that owns the system, one call at a time.
    static let names = ["reporting", "product", "customer", "order", "logistics", "gateway"]

    let directory: TemporaryDirectory
    private var processes: [String: ServiceProcess] = [:]

    private init(directory: TemporaryDirectory) { self.directory = directory }

    static func start() async throws -> ProcessSystem {
        let system = ProcessSystem(directory: try TemporaryDirectory("e2e"))
        try FileManager.default.createDirectory(atPath: system.directory.file("run"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: system.directory.file("data"), withIntermediateDirectories: true)
        do {
            for name in names { try await system.start(name) }
        } catch {
            await system.stop()
            throw error
        }
        return system
    }

    func address(_ name: String) -> String { "unix://\(directory.file("run/\(name).sock"))" }

    var environment: [String: String] {
        var environment = ["AFTERSALE_REPORTING_ADDR": address("reporting"), "AFTERSALE_LOG_LEVEL": "warning"]
        for name in Self.names { environment["AFTERSALE_\(name.uppercased())_ADDR"] = address(name) }
        return environment
    }

    func start(_ name: String) async throws {
        processes[name] = try await ServiceProcess.start(
            ["serve", name, "--listen", address(name), "--data", directory.file("data"), "--rate-limit", "off"],
            environment: environment)
    }

    /// SIGKILL: no drain, no cleanup — a crash.
    func kill(_ name: String) async { await processes[name]?.kill() }

    func stop() async {
        for name in Self.names.reversed() { await processes[name]?.stop() }
        directory.remove()
    }

    /// Loads the demo catalogue, customers and orders (`aftersale seed`).
    func seed() async throws {
        let result = try await runAfterSale(["seed", "--product-addr", address("product"), "--customer-addr", address("customer"),
                                             "--order-addr", address("order")])
        guard result.status == 0 else { throw RPCError(.internal, "aftersale seed failed: \(result.stderr)") }
    }

    func client(_ name: String) throws -> RPCClient { try RPCClient(address(name)) }
}

/// Call options carrying a bearer token (and an idempotency key for mutations).
struct Credentials: Sendable {
    let token: String

    static func mint(role: String, subject: String, ttl: String = "1h") async throws -> Credentials {
        Credentials(token: try await ServiceProcess.serviceToken(subject: subject, role: role, ttl: ttl))
    }

    var read: CallOptions { CallOptions(timeout: .seconds(10), metadata: ["authorization": "Bearer \(token)"]) }

    func mutating(_ key: String = "e2e-\(UUID().uuidString)") -> CallOptions {
        CallOptions(timeout: .seconds(10), metadata: ["authorization": "Bearer \(token)", "idempotency-key": key])
    }
}

/// Test data made through the services' own APIs.
enum TestOrders {
    /// A customer and a delivered order of `lines` (demo-catalogue SKUs, priced from the catalogue) in `market`.
    static func delivered(order orders: OrderV1.OrderService.Client, customer customers: CustomerV1.CustomerService.Client,
                          as service: Credentials,
                          customerID: String = "cus_\(UUID().uuidString.prefix(8).lowercased())", market: String = "DE",
                          lines: [(sku: String, quantity: Int32)], deliveredDaysAgo: Double = 2,
                          now: Date = Date()) async throws -> OrderV1.Order {
        let zones = ["DE": "Europe/Berlin", "CN": "Asia/Shanghai", "US": "America/New_York"]
        let address = CommonV1.Address(name: "Test \(customerID)", lines: ["Teststraße 1"], city: "Berlin", postalCode: "10115",
                                       country: market)
        do {
            _ = try await customers.createCustomer(.init(
                customerID: customerID, name: "Test \(customerID)", email: "\(customerID)@example.com", phone: "+49 30 5550 0000",
                addresses: [address], market: market, timeZone: zones[market] ?? "UTC"), options: service.mutating("customer-\(customerID)"))
        } catch let error as RPCError where error.code == .alreadyExists {}
        let currency = ["DE": "EUR", "CN": "CNY", "US": "USD"][market] ?? "EUR"
        let orderID = "ord_\(UUID().uuidString.prefix(12).lowercased())"
        let orderLines = lines.enumerated().map { index, line in
            let product = ProductCatalogueSeed.products.first { $0.variants.contains { $0.sku == line.sku } }
            let price = product?.variants.first { $0.sku == line.sku }?.price ?? .init(currency: currency, minorUnits: 1000)
            return OrderV1.OrderLine(id: "\(orderID)_l\(index + 1)", sku: line.sku, productID: product?.id ?? "",
                                     categoryID: product?.categoryID ?? "", title: product?.title ?? line.sku,
                                     quantity: line.quantity, unitPrice: price,
                                     lineDiscount: .init(currency: currency, minorUnits: 0), tax: .init(currency: currency, minorUnits: 0))
        }
        let shipping: Int64 = 495
        let total = orderLines.reduce(shipping) { $0 + ($1.unitPrice?.minorUnits ?? 0) * Int64($1.quantity) }
        let placedAt = now.addingTimeInterval(-(deliveredDaysAgo + 2) * 86_400)
        let created = try await orders.createOrder(.init(order: .init(
            id: orderID, customerID: customerID, market: market, currency: currency, lines: orderLines,
            orderDiscount: .init(currency: currency, minorUnits: 0), shippingCost: .init(currency: currency, minorUnits: shipping),
            pricesIncludeTax: market != "US",
            payments: [.init(id: "\(orderID)_p1", method: .card, providerReference: "sim_ch_\(orderID)",
                             captured: .init(currency: currency, minorUnits: total), capturedAt: .init(placedAt))],
            shippingAddress: address, placedAt: .init(placedAt))), options: service.mutating("create-\(orderID)"))
        let fulfilmentID = "\(orderID)_f1"
        let shipped = try await orders.recordFulfilment(.init(
            orderID: orderID, expectedVersion: created.version,
            fulfilment: .init(id: fulfilmentID, lines: orderLines.map { .init(orderLineID: $0.id, quantity: $0.quantity) },
                              warehouseID: ProductCatalogueSeed.warehouses[market] ?? "wh_berlin",
                              shippedAt: .init(placedAt.addingTimeInterval(86_400)))),
            options: service.mutating("ship-\(orderID)"))
        return try await orders.markDelivered(.init(
            orderID: orderID, expectedVersion: shipped.version, fulfilmentID: fulfilmentID,
            deliveredAt: .init(now.addingTimeInterval(-deliveredDaysAgo * 86_400))), options: service.mutating("deliver-\(orderID)"))
    }
}
