import ArgumentParser
import CustomerService
import Foundation
import ProductService
import RPCShared

/// `aftersale seed`: loads the demo data over RPC — the catalogue, policies and stock into ProductService,
/// customers into CustomerService, delivered orders into OrderService — through the same validation as any
/// caller. Running it again changes nothing: every record has a fixed id and every mutation a fixed key.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Load demo data (catalogue, customers, delivered orders) into running services.",
        discussion: "Addresses from --product-addr/--customer-addr/--order-addr or AFTERSALE_<SERVICE>_ADDR (set by 'aftersale up')."
    )

    @Option(name: .customLong("product-addr")) var productAddress: String?
    @Option(name: .customLong("customer-addr")) var customerAddress: String?
    @Option(name: .customLong("order-addr")) var orderAddress: String?
    @Flag(name: .customLong("catalogue-only"), help: "Load only the catalogue, policies and stock (only --product-addr needed).")
    var catalogueOnly = false
    @OptionGroup var client: ServiceClientOptions

    func run() async throws {
        let options = try client.callOptions()
        let product = try ServiceClientOptions.client("product", address: productAddress)
        if catalogueOnly {
            defer { Task { await product.close() } }
            do {
                try await ProductCatalogueSeed.load(into: .init(transport: product), base: options)
            } catch let error as RPCError {
                throw CLIFailure(error)
            }
            return print(Self.catalogueSummary)
        }
        let customer = try ServiceClientOptions.client("customer", address: customerAddress)
        let order = try ServiceClientOptions.client("order", address: orderAddress)
        defer { Task { await product.close(); await customer.close(); await order.close() } }
        do {
            try await ProductCatalogueSeed.load(into: .init(transport: product), base: options)
            print(Self.catalogueSummary)
            let customers = CustomerV1.CustomerService.Client(transport: customer)
            for entry in CustomerSeed.customers {
                try await Self.createIfAbsent {
                    _ = try await customers.createCustomer(entry.request, options: Self.keyed(options, "seed-v1:customer:\(entry.request.customerID)"))
                }
            }
            print("customers: \(CustomerSeed.customers.count)")
            // Orders are dated relative to the start of today (UTC), so a rerun the same day sends identical requests
            // (replayed by their idempotency keys) and a rerun on a later day finds the orders already there.
            let today = Calendar(identifier: .gregorian).dateInterval(of: .day, for: Date())?.start ?? Date()
            let day = Int(today.timeIntervalSince1970 / 86_400)
            let orders = OrderV1.OrderService.Client(transport: order)
            let plans = DemoOrders.plans(now: today)
            for plan in plans {
                try await Self.createIfAbsent {
                    _ = try await orders.createOrder(.init(order: plan.order), options: Self.keyed(options, "seed-v1:order:\(plan.order.id):\(day)"))
                }
                _ = try await orders.markDelivered(.init(orderID: plan.order.id, fulfilmentID: plan.fulfilmentID, deliveredAt: plan.deliveredAt),
                                                   options: Self.keyed(options, "seed-v1:delivered:\(plan.order.id):\(day)"))
            }
            print("orders: \(plans.count), delivered")
        } catch let error as RPCError {
            throw CLIFailure(error)
        }
    }

    static var catalogueSummary: String {
        "catalogue: \(ProductCatalogueSeed.products.count) products, \(ProductCatalogueSeed.policies.count) policies, stock in \(ProductCatalogueSeed.warehouses.count) warehouses"
    }

    /// Runs `create`; ALREADY_EXISTS (seeded on an earlier day) is not a failure.
    static func createIfAbsent(_ create: () async throws -> Void) async throws {
        do {
            try await create()
        } catch let error as RPCError where error.code == .alreadyExists {}
    }

    static func keyed(_ options: CallOptions, _ key: String) -> CallOptions {
        var options = options
        options.metadata.set("idempotency-key", key)
        return options
    }
}
