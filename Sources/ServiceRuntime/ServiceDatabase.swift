import Foundation
import GRDB
import RPCShared

/// A service's own SQLite database: one file, WAL, versioned migrations, plus the tables every service shares
/// (idempotency records and the event outbox).
///
/// Durability: WAL. With `synchronous=NORMAL` a committed (acknowledged) transaction survives the process being
/// killed; only an operating-system crash or power loss can drop the last few. `.full` fsyncs on every commit, so
/// an acknowledged commit survives power loss too. Which one a service gets by default is
/// ``Synchronous/default(forService:)``.
public final class ServiceDatabase: Sendable {
    public enum Synchronous: String, Sendable, CaseIterable {
        case normal, full

        /// The services whose acknowledged writes move money or decide that money moves: order (cases, refunds,
        /// settlements), customer (the store-credit wallet) and the gateway (the saga journal: a saga lost after a
        /// power cut would be started again under new downstream keys, refunding twice). They fsync every commit.
        public static let moneyServices: Set<String> = ["order", "customer", "gateway"]

        /// FULL for ``moneyServices``; NORMAL elsewhere — product (stock reservations expire by themselves),
        /// logistics (labels are re-requested with the same keys by the reconciler) and reporting (figures rebuilt
        /// from the relayed events) can lose the last second to a power cut without losing money.
        public static func `default`(forService name: String) -> Synchronous {
            moneyServices.contains(name) ? .full : .normal
        }
    }

    /// The GRDB pool: readers run concurrently with the single writer.
    public let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) the database at `path` and runs the shared migrations, then `migrations`.
    /// - Parameter busyTimeout: how long SQLite itself waits for another connection's write lock before a
    ///   transaction fails busy (and ``write(_:)`` runs it again).
    public init(path: String, synchronous: Synchronous = .normal, busyTimeout: Duration = .seconds(10),
                migrations: (inout DatabaseMigrator) -> Void) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(Double(busyTimeout.components.seconds) + Double(busyTimeout.components.attoseconds) / 1e18)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue.uppercased())")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        self.path = path
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw ServiceDatabaseError("cannot open database \(path): \(error)")
        }
        var migrator = DatabaseMigrator()
        Self.registerSharedMigrations(&migrator)
        migrations(&migrator)
        do {
            try migrator.migrate(pool)
        } catch {
            throw ServiceDatabaseError("cannot migrate database \(path): \(error)")
        }
    }

    /// A read-write transaction. Domain errors thrown inside roll it back and reach the caller unchanged;
    /// storage failures become a status that says what happened (``rpcError(_:)``).
    ///
    /// `SQLITE_BUSY`/`SQLITE_LOCKED` — another process holding the write lock past the busy timeout, or a WAL
    /// snapshot that cannot be upgraded, which SQLite reports at once without waiting — rolled the whole
    /// transaction back, so it is run again, up to ``busyRetries`` times with jittered backoff, before the caller
    /// ever sees UNAVAILABLE.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await pool.write(body)
            } catch let error as RPCError {
                throw error
            } catch let error as DatabaseError where Self.isBusy(error) && attempt < Self.busyRetries {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...20) * attempt))
            } catch let error as DatabaseError {
                throw Self.rpcError(error)
            }
        }
    }

    /// How often a transaction that met a busy database is run again.
    public static let busyRetries = 5

    static func isBusy(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }

    /// A read-only snapshot.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as RPCError {
            throw error
        } catch let error as DatabaseError {
            throw Self.rpcError(error)
        }
    }

    static func rpcError(_ error: DatabaseError) -> RPCError {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            RPCError(.unavailable, "the database is busy; retry", details: .init(reason: "DATABASE_BUSY", retryAfterMillis: 50))
        case .SQLITE_FULL:
            RPCError(.resourceExhausted, "the disk holding the database is full; nothing was written",
                     details: .init(reason: "STORAGE_FULL"))
        default:
            RPCError(.internal, "storage failure: \(error.message ?? "\(error.resultCode)")")
        }
    }

    private static func registerSharedMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("runtime.v1") { db in
            try db.execute(sql: """
                CREATE TABLE idempotency_record (
                    method TEXT NOT NULL,
                    key TEXT NOT NULL,
                    request BLOB NOT NULL,
                    response BLOB NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (method, key)
                ) WITHOUT ROWID;
                CREATE INDEX idempotency_record_created ON idempotency_record(created_at);
                CREATE TABLE outbox (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL UNIQUE,
                    envelope BLOB NOT NULL,
                    created_at INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE outbox_rejected (
                    event_id TEXT PRIMARY KEY,
                    envelope BLOB NOT NULL,
                    reason TEXT NOT NULL,
                    rejected_at INTEGER NOT NULL
                );
                """)
        }
    }
}

/// The database could not be opened or migrated; the service cannot start.
public struct ServiceDatabaseError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
