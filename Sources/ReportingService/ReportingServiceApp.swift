import Foundation
import RPCShared
import ServiceRuntime

/// The ReportingService process: `aftersale serve reporting`.
public enum ReportingServiceApp {
    /// Opens the database under `--data`, serves the handler until SIGTERM. The reporting service produces no
    /// events of its own, so it runs no outbox relay.
    public static func run(_ settings: ServiceSettings) async throws {
        let host = ServiceHost(settings: settings)
        let database = try host.openDatabase(migrations: ReportingStore.migrations)
        let handler = build(database: database)
        try await host.run(services: [handler.serviceDefinition], database: database)
    }

    /// The handler over `database`, with `clock` for "now" (open items in the SLA report, the dashboard's
    /// default range, `generated_at`).
    public static func build(database: ServiceDatabase, clock: ServiceClock = .system) -> ReportingHandler {
        ReportingHandler(database: database, clock: clock)
    }

    /// Opens (creating and migrating) a reporting database at `path`.
    public static func openDatabase(path: String, synchronous: ServiceDatabase.Synchronous = .normal) throws -> ServiceDatabase {
        try ServiceDatabase(path: path, synchronous: synchronous, migrations: ReportingStore.migrations)
    }
}
