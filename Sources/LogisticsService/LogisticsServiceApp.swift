import Foundation
import Logging
import RPCShared
import ServiceLifecycle
import ServiceRuntime

/// LogisticsService as a process: `aftersale serve logistics --listen … --data … --order-addr …
/// [--reporting-addr …] [--carriers FILE]`.
public enum LogisticsServiceApp {
    /// Opens `<data>/logistics.sqlite`, serves the handler and runs the background work: the outbox relay, the
    /// OrderService notification sender and the simulator's ticker.
    public static func run(_ settings: ServiceSettings, catalogue: CarrierCatalogue = .builtIn()) async throws {
        let host = ServiceHost(settings: settings)
        let database = try host.openDatabase(migrations: ShipmentStore.migrate)
        let relay = try host.outboxRelay(for: database)
        let order = try settings.peers["order"].map { _ in OrderV1.OrderService.Client(transport: try host.peerClient("order")) }
        let handler = build(database: database, catalogue: catalogue, relay: relay)
        let sender = PeerCallSender(database: database, order: order, logger: host.logger)
        let ticker = SimulatorTicker(database: database, relay: relay, logger: host.logger)
        try await host.run(services: [handler.serviceDefinition], database: database,
                           background: [relay, sender, ticker])
    }

    /// The handler over `database`, as tests and the process use it.
    public static func build(database: ServiceDatabase, catalogue: CarrierCatalogue = .builtIn(),
                             clock: ServiceClock = .system, relay: OutboxRelay? = nil) -> LogisticsHandler {
        LogisticsHandler(database: database, catalogue: catalogue, clock: clock, relay: relay)
    }

    /// Opens (creating and migrating) a LogisticsService database at `path`.
    public static func openDatabase(path: String) throws -> ServiceDatabase {
        try ServiceDatabase(path: path, migrations: ShipmentStore.migrate)
    }

    /// Reads a catalogue file (`ListCarriersResponse` JSON).
    public static func catalogue(file: String?) throws -> CarrierCatalogue {
        guard let file else { return .builtIn() }
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw ServiceSettingsError("--carriers: cannot read \(file): \(error.localizedDescription)")
        }
        do { return try CarrierCatalogue(json: text) } catch {
            throw ServiceSettingsError("--carriers: \(file) is not a valid carrier catalogue: \(error)")
        }
    }
}
