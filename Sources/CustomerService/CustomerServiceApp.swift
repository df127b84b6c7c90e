import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// The CustomerService process: customers (contact data masked, identifiers hashed), after-sale history,
/// the store-credit wallet, feedback with sentiment, and return-risk assessment.
public enum CustomerServiceApp {
    /// Serves until SIGTERM/SIGINT.
    public static func run(_ settings: ServiceSettings) async throws {
        let host = ServiceHost(settings: settings)
        let database = try host.openDatabase(migrations: CustomerStore.migrations)
        let relay = try host.outboxRelay(for: database)
        let handler = try build(database: database, dataDirectory: settings.dataDirectory, relay: relay)
        try await host.run(services: [handler.serviceDefinition], database: database, background: [relay])
    }

    /// Opens (creating and migrating if needed) the service's database at `path`.
    public static func openDatabase(path: String) throws -> ServiceDatabase {
        try ServiceDatabase(path: path, migrations: CustomerStore.migrations)
    }

    /// The handler over `database`, with the deployment salt from `dataDirectory` (created on first start).
    public static func build(database: ServiceDatabase, dataDirectory: String, clock: ServiceClock = .system,
                             relay: OutboxRelay? = nil) throws -> CustomerHandler {
        CustomerHandler(database: database, hasher: try SensitiveValueHasher.loadOrCreate(directory: dataDirectory),
                        clock: clock, relay: relay)
    }
}
