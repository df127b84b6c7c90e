import Foundation
import Logging
import RPCShared
import ServiceLifecycle
import ServiceRuntime

/// The ProductService process: catalogue, return policies and eligibility, inventory, statistics and quality,
/// and the issue classifier (trained from the shipped corpus at start).
public enum ProductServiceApp {
    /// Opens (and migrates) the product database at `path`.
    public static func openDatabase(path: String, synchronous: ServiceDatabase.Synchronous = .normal) throws -> ServiceDatabase {
        try ServiceDatabase(path: path, synchronous: synchronous, migrations: ProductSchema.register)
    }

    /// The handler over `database`; tests pass a fixed clock.
    public static func buildHandler(database: ServiceDatabase, clock: ServiceClock = .system,
                                    classifier: IssueClassifier? = nil) -> ProductHandler {
        ProductHandler(database: database, clock: clock, classifier: classifier ?? IssueClassifier(trainedAt: clock.now()))
    }

    /// Serves ProductService until SIGTERM/SIGINT.
    public static func run(_ settings: ServiceSettings) async throws {
        let host = ServiceHost(settings: settings)
        let database = try host.openDatabase(migrations: ProductSchema.register)
        let handler = buildHandler(database: database)
        let evaluation = handler.classifier.evaluation
        host.logger.info("issue classifier trained", metadata: [
            "training": "\(evaluation.trainingSize)", "held_out": "\(evaluation.heldOutSize)",
            "accuracy": "\(String(format: "%.3f", evaluation.accuracy))",
        ])
        try await host.run(services: [handler.serviceDefinition], database: database,
                           background: [ReservationExpiry(database: database, logger: host.logger)])
    }
}

/// Releases the stock of reservations whose `expires_at` has passed (status EXPIRED). Reservations are also
/// expired lazily when their SKU is reserved again, so availability is right even between sweeps.
struct ReservationExpiry: Service {
    let database: ServiceDatabase
    let logger: Logger
    var clock: ServiceClock = .system
    var interval: Duration = .seconds(30)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let now = clock.now()
                    let expired = try await database.write { db in try InventoryStore.expireOverdue(db, now: now) }
                    if expired > 0 { logger.info("expired reservations", metadata: ["count": "\(expired)"]) }
                } catch {
                    logger.warning("reservation expiry failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
