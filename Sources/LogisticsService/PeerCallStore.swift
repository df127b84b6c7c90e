import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// Notifications LogisticsService owes OrderService, written in the same transaction as the tracking event that
/// causes them and sent afterwards by ``PeerCallSender``: OrderService being down delays a notification and
/// never loses it. Each call has its contract idempotency key (`shipped:<shipment id>`,
/// `delivered:<shipment id>`), unique in the table, so a call is queued at most once and a resend is harmless.
public enum PeerCallStore {
    public enum Method: String, Sendable, CaseIterable {
        case markShipped = "order.MarkShipped"
        case markDelivered = "order.MarkDelivered"
    }

    public enum State: String, Sendable {
        /// Waiting for its next attempt.
        case pending
        /// OrderService accepted it.
        case done
        /// OrderService refused it for good (e.g. the case was canceled); kept with the reason for operators.
        case failed
    }

    /// One queued call.
    public struct Call: Sendable, Equatable {
        public var id: Int64
        public var method: Method
        public var key: String
        public var shipmentID: String
        /// The serialized `MarkShippedRequest` / `MarkDeliveredRequest`.
        public var request: [UInt8]
        public var state: State
        public var attempts: Int
        public var nextAttemptAt: Int64
        public var lastError: String
    }

    static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("logistics.v1.peer_call") { db in
            try db.execute(sql: """
                CREATE TABLE peer_call (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    idempotency_key TEXT NOT NULL UNIQUE,
                    method TEXT NOT NULL,
                    shipment_id TEXT NOT NULL,
                    request BLOB NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    last_error TEXT NOT NULL DEFAULT '',
                    created_at INTEGER NOT NULL,
                    completed_at INTEGER
                );
                CREATE INDEX peer_call_due ON peer_call(state, next_attempt_at);
                """)
        }
    }

    /// Queues a call unless one with `key` exists; returns whether it was new.
    @discardableResult
    public static func enqueue(_ db: Database, method: Method, key: String, shipmentID: String,
                               request: some ProtoMessage, at now: Date) throws -> Bool {
        try db.execute(sql: """
            INSERT OR IGNORE INTO peer_call (idempotency_key, method, shipment_id, request, state, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, 'pending', ?, ?)
            """, arguments: [key, method.rawValue, shipmentID, Data(try request.serializedBytes()), now.epochMicros, now.epochMicros])
        return db.changesCount > 0
    }

    /// Pending calls due at `now`, oldest first.
    public static func due(_ db: Database, now: Date, limit: Int) throws -> [Call] {
        try fetch(db, "WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?", [now.epochMicros, limit])
    }

    /// Every call, oldest first (operators, tests).
    public static func all(_ db: Database) throws -> [Call] { try fetch(db, "ORDER BY id", []) }

    /// When the earliest pending call is due (epoch micros), if any.
    public static func nextDue(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM peer_call WHERE state = 'pending'")
    }

    public static func markDone(_ db: Database, _ id: Int64, at now: Date) throws {
        try db.execute(sql: "UPDATE peer_call SET state = 'done', attempts = attempts + 1, last_error = '', completed_at = ? WHERE id = ?",
                       arguments: [now.epochMicros, id])
    }

    public static func markRetry(_ db: Database, _ id: Int64, error: String, nextAttemptAt: Date) throws {
        try db.execute(sql: "UPDATE peer_call SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                       arguments: [String(error.prefix(1000)), nextAttemptAt.epochMicros, id])
    }

    public static func markFailed(_ db: Database, _ id: Int64, error: String, at now: Date) throws {
        try db.execute(sql: "UPDATE peer_call SET state = 'failed', attempts = attempts + 1, last_error = ?, completed_at = ? WHERE id = ?",
                       arguments: [String(error.prefix(1000)), now.epochMicros, id])
    }

    private static func fetch(_ db: Database, _ clause: String, _ arguments: StatementArguments) throws -> [Call] {
        try Row.fetchAll(db, sql: """
            SELECT id, method, idempotency_key, shipment_id, request, state, attempts, next_attempt_at, last_error
            FROM peer_call \(clause)
            """, arguments: arguments).map { row in
            let request: Data = row["request"]
            return Call(id: row["id"], method: Method(rawValue: row["method"]) ?? .markShipped, key: row["idempotency_key"],
                        shipmentID: row["shipment_id"], request: [UInt8](request),
                        state: State(rawValue: row["state"]) ?? .pending, attempts: row["attempts"],
                        nextAttemptAt: row["next_attempt_at"], lastError: row["last_error"])
        }
    }
}
