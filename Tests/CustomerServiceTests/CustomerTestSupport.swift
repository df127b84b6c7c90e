import AfterSaleTestSupport
@testable import CustomerService
import Foundation
import RPCShared
import ServiceRuntime
import Synchronization
import Testing

/// A clock tests move by hand (credit expiry, recent-case windows).
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }
    func advance(days: Double) { current.withLock { $0 += days * 86_400 } }
    func advance(seconds: Double) { current.withLock { $0 += seconds } }
    var serviceClock: ServiceClock { ServiceClock { self.now } }
}

/// The customer service on a real SQLite file, served on a temporary Unix socket, with a client.
struct CustomerFixture: Sendable {
    typealias Client = CustomerV1.CustomerService.Client

    let directory: TemporaryDirectory
    let clock: TestClock
    let database: ServiceDatabase
    let served: ServedServices
    let client: Client

    static func start(directory: TemporaryDirectory? = nil, clock: TestClock = TestClock()) async throws -> CustomerFixture {
        // Opening, migrating and reading the salt are blocking file work: keep it off the (two-thread, on this
        // machine) cooperative pool, where it would stall timing-sensitive tests running alongside.
        let (directory, database, handler) = try await offloaded {
            let directory = try directory ?? TemporaryDirectory("customer-svc")
            let database = try CustomerServiceApp.openDatabase(path: directory.file("customer.sqlite"))
            let handler = try CustomerServiceApp.build(database: database, dataDirectory: directory.path,
                                                       clock: clock.serviceClock)
            return (directory, database, handler)
        }
        let served = try await ServedServices.start([handler.serviceDefinition])
        return CustomerFixture(directory: directory, clock: clock, database: database, served: served,
                               client: Client(transport: served.client))
    }

    /// Stops the server and closes the database, keeping the files (for a restart).
    func shutDown() async throws {
        await served.stop()
        try await offloaded { [database] in try database.pool.close() }
    }

    /// A new server over the same files: what a process restart sees.
    func restarted() async throws -> CustomerFixture {
        try await shutDown()
        return try await Self.start(directory: directory, clock: clock)
    }

    func stop() async {
        try? await shutDown()
        _ = try? await offloaded { [directory] in directory.remove() }
    }

    static let sampleEmail = "anna.weber@example.de"
    static let samplePhone = "+49 30 5550 1123"
    static let sampleIdentity = "T22000129"

    static func createRequest(_ id: String = "cus_anna") -> CustomerV1.CreateCustomerRequest {
        CustomerV1.CreateCustomerRequest(
            customerID: id, name: "Anna Weber", email: sampleEmail, phone: samplePhone,
            addresses: [.init(name: "Anna Weber", lines: ["Torstraße 12"], city: "Berlin", postalCode: "10119",
                              country: "DE", phone: samplePhone)],
            market: "DE", timeZone: "Europe/Berlin", identityDocument: sampleIdentity)
    }

    @discardableResult
    func createCustomer(_ id: String = "cus_anna") async throws -> CustomerV1.Customer {
        try await client.createCustomer(Self.createRequest(id), options: .mutating())
    }

    @discardableResult
    func credit(_ minorUnits: Int64, customer customerID: String = "cus_anna", currency: String = "EUR",
                expiresInDays: Double? = nil, key: String = "test-\(UUID().uuidString)") async throws -> CustomerV1.WalletEntry {
        var request = CustomerV1.CreditWalletRequest(customerID: customerID, amount: .init(currency: currency, minorUnits: minorUnits),
                                                     reason: "goodwill", reference: "ref_1")
        if let days = expiresInDays { request.expiresAt = CommonV1.Timestamp(clock.now.addingTimeInterval(days * 86_400)) }
        return try await client.creditWallet(request, options: .mutating(key: key))
    }

    @discardableResult
    func debit(_ minorUnits: Int64, customer customerID: String = "cus_anna", currency: String = "EUR",
               key: String = "test-\(UUID().uuidString)") async throws -> CustomerV1.WalletEntry {
        try await client.debitWallet(.init(customerID: customerID, amount: .init(currency: currency, minorUnits: minorUnits),
                                           reason: "order payment", reference: "ord_1"), options: .mutating(key: key))
    }

    func balance(_ customerID: String = "cus_anna", currency: String = "EUR") async throws -> Int64 {
        let wallet = try await client.getWallet(.init(customerID: customerID))
        return wallet.balances.first { $0.currency == currency }?.minorUnits ?? 0
    }
}

/// Runs `body` and returns the RPC error it must throw.
func rpcError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> RPCError? {
    do {
        try await body()
        Issue.record("expected an RPC error", sourceLocation: sourceLocation)
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        Issue.record("expected an RPC error, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Fails when any form of the sample contact data or identity number appears in `message` (binary or JSON).
func expectNoSecrets(_ message: some ProtoMessage, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let bytes = String(decoding: try message.serializedBytes(), as: UTF8.self)
    let json = message.jsonString(pretty: false)
    let secrets = [CustomerFixture.sampleEmail, "anna.weber", CustomerFixture.samplePhone, "+493055501123",
                   "55501123", "5550 1123", "30 5550", CustomerFixture.sampleIdentity]
    for secret in secrets {
        #expect(!bytes.contains(secret), "binary form contains '\(secret)'", sourceLocation: sourceLocation)
        #expect(!json.contains(secret), "JSON form contains '\(secret)'", sourceLocation: sourceLocation)
    }
}

/// Runs `body` against a fresh service and always cleans up (server, database, files).
func withCustomerService(clock: TestClock = TestClock(),
                         _ body: (CustomerFixture) async throws -> Void) async throws {
    let fixture = try await CustomerFixture.start(clock: clock)
    do {
        try await body(fixture)
    } catch {
        await fixture.stop()
        throw error
    }
    await fixture.stop()
}
