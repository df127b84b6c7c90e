import AfterSaleTestSupport
import Foundation
import ProductService
import RPCShared
import ServiceRuntime
import Testing

/// One ProductService over a real SQLite file in a temporary directory, served on a temporary Unix socket.
struct ProductFixture {
    /// Trained once: every fixture shares the same (deterministic) classifier.
    static let classifier = IssueClassifier(trainedAt: ReturnWindowTests.utc("2026-03-01T00:00:00Z"))
    static let now = ReturnWindowTests.utc("2026-03-12T10:00:00Z")

    let directory: TemporaryDirectory
    let database: ServiceDatabase
    let served: ServedServices
    let client: ProductV1.ProductService.Client
    var path: String { directory.file("product.sqlite") }

    static func start(clock: ServiceClock = .fixed(ProductFixture.now), directory: TemporaryDirectory? = nil) async throws -> ProductFixture {
        let directory = try directory ?? TemporaryDirectory("product-test")
        let database = try ProductServiceApp.openDatabase(path: directory.file("product.sqlite"))
        let handler = ProductServiceApp.buildHandler(database: database, clock: clock, classifier: classifier)
        let served = try await ServedServices.start([handler.serviceDefinition])
        return ProductFixture(directory: directory, database: database, served: served,
                              client: ProductV1.ProductService.Client(transport: served.client))
    }

    /// Stops the server and closes the database (a restart reopens the file); the files stay until ``remove()``.
    func stop() async {
        await served.stop()
        try? database.pool.close()
    }

    func remove() async {
        await stop()
        directory.remove()
    }

    /// A category, a product with two variants, and a DE market policy.
    @discardableResult
    func basicCatalogue() async throws -> ProductV1.Product {
        _ = try await client.upsertCategory(.init(category: .init(id: "cat_shoes", name: "Shoes")), options: .mutating())
        let product = try await client.upsertProduct(.init(product: Self.shoe), options: .mutating())
        var policy = ProductV1.ReturnPolicy(id: "pol_de", name: "DE", scope: .market, market: "DE")
        policy.active = true
        policy.windowDays = .init(value: 30)
        policy.withdrawalDays = .init(value: 14)
        policy.warrantyMonths = .init(value: 24)
        _ = try await client.upsertPolicy(.init(policy: policy), options: .mutating())
        return product
    }

    static var shoe: ProductV1.Product {
        ProductV1.Product(id: "prod_shoe", title: "Runner", brand: "Alpkraft", categoryID: "cat_shoes", supplierID: "sup_1",
                          variants: [
                              .init(sku: "RUN-42", title: "42", price: .init(currency: "EUR", minorUnits: 12900),
                                    weightGrams: 800, attributes: ["size": "42"], active: true),
                              .init(sku: "RUN-43", title: "43", price: .init(currency: "EUR", minorUnits: 12900),
                                    weightGrams: 800, attributes: ["size": "43"], active: true),
                          ])
    }
}

/// Runs `body` and checks it fails with `code` (and, when given, the ErrorDetails reason and a field violation
/// or message naming `field`).
func expectRPCError(_ code: StatusCode, reason: String? = nil, field: String? = nil,
                    sourceLocation: SourceLocation = #_sourceLocation,
                    _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected \(code), the call succeeded", sourceLocation: sourceLocation)
    } catch let error as RPCError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        if let reason { #expect(error.errorDetails?.reason == reason, "\(error)", sourceLocation: sourceLocation) }
        if let field {
            let fields = error.errorDetails?.fieldViolations.map(\.field) ?? []
            #expect(fields.contains(field) || error.message.contains(field), "\(error) does not name \(field)",
                    sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected RPCError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
