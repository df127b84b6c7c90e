import GRDB
import RPCShared
import ServiceRuntime

/// The gateway's own database: the journal of its sagas (see Saga.swift). Nothing else is stored here — cases,
/// stock and shipments live in their services.
public struct SagaStore: Sendable {
    public let database: ServiceDatabase

    public init(database: ServiceDatabase) { self.database = database }

    /// Opens (creating and migrating) the gateway database at `path`.
    public static func open(path: String) throws -> SagaStore {
        SagaStore(database: try ServiceDatabase(path: path, migrations: migrate))
    }

    public static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("gateway-v1-sagas") { db in
            try db.create(table: "saga") { t in
                t.primaryKey("id", .text)
            }
        }
    }
}
