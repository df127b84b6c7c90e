import ArgumentParser
import Foundation
import ProductService
import RPCShared
import ServiceRuntime

/// `aftersale serve product`.
struct ServeProductCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "product", abstract: "ProductService, catalogue, policies, inventory, quality.")
    @OptionGroup var options: ServeOptions

    func run() async throws { try await ProductServiceApp.run(try options.settings("product")) }
}

/// `aftersale product …`: the product service's debugging client.
struct ProductCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "product", abstract: "Debugging client for ProductService, catalogue, policies, inventory, quality.",
        subcommands: [
            ProductGet.self, ProductList.self, ProductUpsert.self, ProductVariant.self, ProductCategories.self,
            ProductUpsertCategory.self, ProductPolicies.self, ProductUpsertPolicy.self, ProductEffectivePolicy.self,
            ProductEligibility.self, ProductStock.self, ProductAdjustStock.self, ProductReserve.self, ProductRelease.self,
            ProductCommit.self, ProductReceiveReturn.self, ProductStats.self, ProductQuality.self, ProductClassify.self,
            ProductClassifierInfo.self, ProductSeed.self,
        ])
}

/// Runs `body` with a ProductService client and prints its answer as JSON.
private func withProduct<Response: ProtoMessage>(
    _ options: ServiceClientOptions, _ body: (ProductV1.ProductService.Client) async throws -> Response
) async throws {
    try await options.run("product") { rpc in try await body(ProductV1.ProductService.Client(transport: rpc)) }
}

/// Parses `restock` / `DISPOSITION_RESTOCK`-style names of enum `E` with `prefix`.
private func parseEnum<E: ProtoEnum>(_ text: String, prefix: String, as: E.Type) throws -> E {
    let name = text.uppercased().replacingOccurrences(of: "-", with: "_")
    guard let value = E(protoName: name.hasPrefix(prefix) ? name : prefix + name) else {
        let choices = E.allCases.compactMap(\.protoName).filter { !$0.hasSuffix("UNSPECIFIED") }
            .map { $0.dropFirst(prefix.count).lowercased() }
        throw CLIError("'\(text)' is not one of \(choices.joined(separator: ", "))")
    }
    return value
}

private func page(_ size: Int32, _ token: String) -> CommonV1.PageRequest { .init(pageSize: size, pageToken: token) }

struct ProductGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "A product with its variants.")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "Product id.") var productID: String
    func run() async throws {
        try await withProduct(client) { try await $0.getProduct(.init(productID: productID), options: try client.callOptions()) }
    }
}

struct ProductList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Products, newest first.")
    @OptionGroup var client: ServiceClientOptions
    @Option(help: "Only this category and its descendants.") var category = ""
    @Option(help: "Only this brand.") var brand = ""
    @Option(help: "Page size (0 = 50).") var pageSize: Int32 = 0
    @Option(help: "Token from the previous page.") var pageToken = ""
    func run() async throws {
        try await withProduct(client) {
            try await $0.listProducts(.init(page: page(pageSize, pageToken), categoryID: category, brand: brand),
                                      options: try client.callOptions())
        }
    }
}

struct ProductUpsert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "upsert", abstract: "Create or replace a product from JSON (Product, or - for stdin).")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "Product JSON.") var json: String
    @Option(help: "Expected version (0 = don't check).") var expectedVersion: Int64 = 0
    func run() async throws {
        let product = try parseJSON(json, as: ProductV1.Product.self)
        try await withProduct(client) {
            try await $0.upsertProduct(.init(product: product, expectedVersion: expectedVersion), options: try client.callOptions(mutating: true))
        }
    }
}

struct ProductVariant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "variant", abstract: "A variant by SKU.")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "SKU.") var sku: String
    func run() async throws {
        try await withProduct(client) { try await $0.getVariant(.init(sku: sku), options: try client.callOptions()) }
    }
}

struct ProductCategories: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "categories", abstract: "Categories (children of --parent, or all).")
    @OptionGroup var client: ServiceClientOptions
    @Option(help: "Direct children of this category.") var parent = ""
    @Option(help: "Page size (0 = 50).") var pageSize: Int32 = 0
    @Option(help: "Token from the previous page.") var pageToken = ""
    func run() async throws {
        try await withProduct(client) {
            try await $0.listCategories(.init(page: page(pageSize, pageToken), parentID: parent), options: try client.callOptions())
        }
    }
}

struct ProductUpsertCategory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "upsert-category", abstract: "Create or rename a category.")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "Category id (empty = generate).") var id: String
    @Option(help: "Name.") var name: String
    @Option(help: "Parent category id.") var parent = ""
    @Option(help: "Expected version (0 = don't check).") var expectedVersion: Int64 = 0
    func run() async throws {
        try await withProduct(client) {
            try await $0.upsertCategory(.init(category: .init(id: id, parentID: parent, name: name), expectedVersion: expectedVersion),
                                        options: try client.callOptions(mutating: true))
        }
    }
}

struct ProductPolicies: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "policies", abstract: "Return policies, newest first.")
    @OptionGroup var client: ServiceClientOptions
    @Option(help: "Market (ISO 3166-1 alpha-2).") var market = ""
    @Option(help: "market, category or product.") var scope: String?
    @Option(help: "Category id.") var category = ""
    @Option(help: "Product id.") var product = ""
    @Flag(help: "Include inactive policies.") var includeInactive = false
    @Option(help: "Page size (0 = 50).") var pageSize: Int32 = 0
    @Option(help: "Token from the previous page.") var pageToken = ""
    func run() async throws {
        let scope = try scope.map { try parseEnum($0, prefix: "POLICY_SCOPE_", as: ProductV1.PolicyScope.self) } ?? .unspecified
        try await withProduct(client) {
            try await $0.listPolicies(.init(page: page(pageSize, pageToken), market: market, scope: scope, categoryID: category,
                                            productID: product, includeInactive: includeInactive), options: try client.callOptions())
        }
    }
}

struct ProductUpsertPolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "upsert-policy", abstract: "Create or replace a return policy from JSON (ReturnPolicy, or - for stdin).")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "ReturnPolicy JSON.") var json: String
    @Option(help: "Expected version (0 = don't check).") var expectedVersion: Int64 = 0
    @Option(help: "Agent id recorded as updated_by.") var agent = ""
    func run() async throws {
        let policy = try parseJSON(json, as: ProductV1.ReturnPolicy.self)
        let actor = agent.isEmpty ? nil : CommonV1.Actor(kind: .agent, id: agent)
        try await withProduct(client) {
            try await $0.upsertPolicy(.init(policy: policy, expectedVersion: expectedVersion, actor: actor),
                                      options: try client.callOptions(mutating: true))
        }
    }
}

struct ProductEffectivePolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "effective-policy", abstract: "The merged policy for a product (or SKU) in a market, with field sources.")
    @OptionGroup var client: ServiceClientOptions
    @Option(help: "Market.") var market: String
    @Option(help: "Product id.") var product = ""
    @Option(help: "SKU (instead of --product).") var sku = ""
    func run() async throws {
        try await withProduct(client) {
            try await $0.getEffectivePolicy(.init(market: market, productID: product, sku: sku), options: try client.callOptions())
        }
    }
}

struct ProductEligibility: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eligibility", abstract: "Per-line return eligibility for an order snapshot (CheckEligibilityRequest JSON, or - for stdin).")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "CheckEligibilityRequest JSON.") var json: String
    func run() async throws {
        let request = try parseJSON(json, as: ProductV1.CheckEligibilityRequest.self)
        try await withProduct(client) { try await $0.checkEligibility(request, options: try client.callOptions()) }
    }
}

struct ProductStock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stock", abstract: "Stock of a SKU per warehouse.")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "SKU.") var sku: String
    @Option(help: "Only this warehouse.") var warehouse = ""
    func run() async throws {
        try await withProduct(client) { try await $0.getStock(.init(sku: sku, warehouseID: warehouse), options: try client.callOptions()) }
    }
}

struct ProductAdjustStock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "adjust-stock", abstract: "Add (or with a negative delta remove) on-hand units.")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "SKU.") var sku: String
    @Option(help: "Warehouse id.") var warehouse: String
    @Option(help: "Units to add (negative removes).") var delta: Int32
    @Option(help: "Why (cycle count, seeding, …).") var reason = ""
    @Option(help: "Expected version of the stock level (0 = don't check).") var expectedVersion: Int64 = 0
    func run() async throws {
        try await withProduct(client) {
            try await $0.adjustStock(.init(sku: sku, warehouseID: warehouse, delta: delta, reason: reason, expectedVersion: expectedVersion),
                                     options: try client.callOptions(mutating: true))
        }
    }
}

struct ProductReserve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reserve", abstract: "Hold units for an exchange or replacement.")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "SKU.") var sku: String
    @Option(help: "Units.") var quantity: Int32
    @Option(help: "Warehouse (default: the one with most available).") var warehouse = ""
    @Option(help: "Reference, e.g. the case id.") var reference = ""
    func run() async throws {
        try await withProduct(client) {
            try await $0.reserveStock(.init(sku: sku, warehouseID: warehouse, quantity: quantity, reference: reference),
                                      options: try client.callOptions(mutating: true))
        }
    }
}

struct ProductRelease: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "release", abstract: "Give a reservation's units back.")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "Reservation id.") var reservationID: String
    @Option(help: "Why.") var reason = ""
    @Option(help: "Expected version (0 = don't check).") var expectedVersion: Int64 = 0
    func run() async throws {
        try await withProduct(client) {
            try await $0.releaseReservation(.init(reservationID: reservationID, expectedVersion: expectedVersion, reason: reason),
                                            options: try client.callOptions(mutating: true))
        }
    }
}

struct ProductCommit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "commit", abstract: "The reserved units left stock (replacement shipped).")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "Reservation id.") var reservationID: String
    @Option(help: "Expected version (0 = don't check).") var expectedVersion: Int64 = 0
    func run() async throws {
        try await withProduct(client) {
            try await $0.commitReservation(.init(reservationID: reservationID, expectedVersion: expectedVersion),
                                           options: try client.callOptions(mutating: true))
        }
    }
}

struct ProductReceiveReturn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "receive-return", abstract: "Book returned units: restock, refurbish or scrap.")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "SKU.") var sku: String
    @Option(help: "Warehouse id.") var warehouse: String
    @Option(help: "Units.") var quantity: Int32
    @Option(help: "restock, refurbish or scrap.") var disposition: String
    @Option(help: "Case line id.") var reference = ""
    func run() async throws {
        let disposition = try parseEnum(disposition, prefix: "DISPOSITION_", as: OrderV1.Disposition.self)
        try await withProduct(client) {
            try await $0.receiveReturn(.init(sku: sku, warehouseID: warehouse, quantity: quantity, disposition: disposition,
                                             reference: reference), options: try client.callOptions(mutating: true))
        }
    }
}

struct ProductStats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "After-sale figures of a product.")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "Product id.") var productID: String
    func run() async throws {
        try await withProduct(client) { try await $0.getProductStats(.init(productID: productID), options: try client.callOptions()) }
    }
}

struct ProductQuality: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "quality", abstract: "The Bayesian quality score, explained.")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "Product id.") var productID: String
    func run() async throws {
        try await withProduct(client) { try await $0.getQualityScore(.init(productID: productID), options: try client.callOptions()) }
    }
}

struct ProductClassify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "classify", abstract: "Classify return-reason or feedback text (Chinese or English; - for stdin).")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "The text.") var text: String
    @Option(help: "Language hint (zh, en).") var language = ""
    func run() async throws {
        let text = readArgument(text)
        try await withProduct(client) { try await $0.classifyText(.init(text: text, language: language), options: try client.callOptions()) }
    }
}

struct ProductClassifierInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "classifier-info", abstract: "The classifier's method and held-out accuracy.")
    @OptionGroup var client: ServiceClientOptions
    func run() async throws {
        try await withProduct(client) { try await $0.getClassifierInfo(.init(), options: try client.callOptions()) }
    }
}

struct ProductSeed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Load the demo catalogue (categories, products, DE/CN/US policies, stock).")
    @OptionGroup var client: ServiceClientOptions
    func run() async throws {
        let options = try client.callOptions()
        try await withProduct(client) { product in
            try await ProductCatalogueSeed.load(into: product, base: options)
            return try await product.listProducts(.init(page: .init(pageSize: 500)), options: options)
        }
    }
}
