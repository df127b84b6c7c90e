import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// LogisticsService's tables: shipments (queryable columns + the full record as a protobuf blob, tracking events
/// included), per-carrier booking sequences, and the simulator's configuration. Peer calls live in
/// ``PeerCallStore``.
public enum ShipmentStore {
    /// Registers LogisticsService's migrations (after the shared ones).
    public static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("logistics.v1") { db in
            try db.execute(sql: """
                CREATE TABLE shipment (
                    id TEXT PRIMARY KEY,
                    kind INTEGER NOT NULL,
                    status INTEGER NOT NULL,
                    order_id TEXT NOT NULL,
                    case_id TEXT NOT NULL,
                    carrier_id TEXT NOT NULL,
                    tracking_number TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    cancel_reason TEXT NOT NULL DEFAULT '',
                    record BLOB NOT NULL
                );
                CREATE UNIQUE INDEX shipment_tracking ON shipment(carrier_id, tracking_number);
                CREATE INDEX shipment_created ON shipment(created_at, id);
                CREATE INDEX shipment_order ON shipment(order_id, created_at);
                CREATE INDEX shipment_case ON shipment(case_id, created_at);
                CREATE INDEX shipment_carrier_status ON shipment(carrier_id, status);
                CREATE TABLE carrier_sequence (
                    carrier_id TEXT PRIMARY KEY,
                    last INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE simulator_config (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    tick_millis INTEGER NOT NULL,
                    exception_rate_bp INTEGER NOT NULL,
                    seed INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                """)
        }
        PeerCallStore.migrate(&migrator)
    }

    public static func insert(_ db: Database, _ shipment: LogisticsV1.Shipment) throws {
        try db.execute(sql: """
            INSERT INTO shipment (id, kind, status, order_id, case_id, carrier_id, tracking_number, version,
                                  created_at, updated_at, record)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [shipment.id, shipment.kind.rawValue, shipment.status.rawValue, shipment.orderID,
                             shipment.caseID, shipment.carrierID, shipment.trackingNumber, shipment.version,
                             shipment.createdAt?.epochMicros ?? 0, shipment.updatedAt?.epochMicros ?? 0,
                             Data(try shipment.serializedBytes())])
    }

    /// Writes a changed shipment; `cancelReason` only when canceling.
    public static func update(_ db: Database, _ shipment: LogisticsV1.Shipment, cancelReason: String? = nil) throws {
        try db.execute(sql: """
            UPDATE shipment SET status = ?, version = ?, updated_at = ?, record = ?,
                                cancel_reason = COALESCE(?, cancel_reason)
            WHERE id = ?
            """, arguments: [shipment.status.rawValue, shipment.version, shipment.updatedAt?.epochMicros ?? 0,
                             Data(try shipment.serializedBytes()), cancelReason, shipment.id])
    }

    public static func fetch(_ db: Database, _ id: String) throws -> LogisticsV1.Shipment? {
        try Data.fetchOne(db, sql: "SELECT record FROM shipment WHERE id = ?", arguments: [id]).map(decode)
    }

    /// The shipment or NOT_FOUND.
    public static func require(_ db: Database, _ id: String) throws -> LogisticsV1.Shipment {
        guard let shipment = try fetch(db, id) else { throw RPCError.notFound("shipment", id) }
        return shipment
    }

    public static func cancelReason(_ db: Database, _ id: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT cancel_reason FROM shipment WHERE id = ?", arguments: [id])
    }

    /// The filters of `ListShipments`.
    public struct Filter: Sendable {
        public var orderID = ""
        public var caseID = ""
        public var kind: Int32 = 0
        public var statuses: [Int32] = []
        public init() {}

        /// A stable description for page tokens.
        var query: String { "shipments|\(orderID)|\(caseID)|\(kind)|\(statuses.sorted().map(String.init).joined(separator: ","))" }
    }

    /// Newest first (created_at, then id, both descending), `limit` rows after `cursor`.
    public static func list(_ db: Database, _ filter: Filter, after cursor: PageCursor?,
                            limit: Int) throws -> [LogisticsV1.Shipment] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if !filter.orderID.isEmpty { conditions.append("order_id = ?"); arguments.append(filter.orderID) }
        if !filter.caseID.isEmpty { conditions.append("case_id = ?"); arguments.append(filter.caseID) }
        if filter.kind != 0 { conditions.append("kind = ?"); arguments.append(filter.kind) }
        if !filter.statuses.isEmpty {
            conditions.append("status IN (\(filter.statuses.map { _ in "?" }.joined(separator: ",")))")
            for status in filter.statuses { arguments.append(status) }
        }
        if let cursor {
            guard let micros = Int64(cursor.key) else {
                throw RPCError.invalidArgument("page.page_token", "is not a token this list returned for these filters")
            }
            conditions.append("(created_at < ? OR (created_at = ? AND id < ?))")
            arguments.append(micros)
            arguments.append(micros)
            arguments.append(cursor.id)
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(limit)
        return try Data.fetchAll(db, sql: "SELECT record FROM shipment \(whereClause) ORDER BY created_at DESC, id DESC LIMIT ?",
                                 arguments: StatementArguments(arguments)).map(decode)
    }

    /// Open (non-terminal) shipments of `carrierID`, oldest first: the order the simulator moves them in.
    public static func open(_ db: Database, carrierID: String, limit: Int) throws -> [LogisticsV1.Shipment] {
        let terminal = [LogisticsV1.ShipmentStatus.delivered, .returnedToSender, .canceled].map(\.rawValue)
        return try Data.fetchAll(db, sql: """
            SELECT record FROM shipment WHERE carrier_id = ? AND status NOT IN (?, ?, ?)
            ORDER BY created_at, id LIMIT ?
            """, arguments: [carrierID, terminal[0], terminal[1], terminal[2], limit]).map(decode)
    }

    /// The carrier's next booking number (1, 2, …), in the current transaction.
    public static func nextSequence(_ db: Database, carrierID: String) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO carrier_sequence (carrier_id, last) VALUES (?, 1)
            ON CONFLICT(carrier_id) DO UPDATE SET last = last + 1
            """, arguments: [carrierID])
        return try Int64.fetchOne(db, sql: "SELECT last FROM carrier_sequence WHERE carrier_id = ?", arguments: [carrierID]) ?? 1
    }

    /// The stored simulator configuration; all zero (no ticking, no exceptions, seed 0) until configured.
    public static func simulatorConfig(_ db: Database) throws -> LogisticsV1.SimulatorConfig {
        guard let row = try Row.fetchOne(db, sql: "SELECT tick_millis, exception_rate_bp, seed FROM simulator_config WHERE id = 1") else {
            return LogisticsV1.SimulatorConfig()
        }
        return LogisticsV1.SimulatorConfig(tickMillis: row["tick_millis"], exceptionRateBp: row["exception_rate_bp"], seed: row["seed"])
    }

    public static func saveSimulatorConfig(_ db: Database, _ config: LogisticsV1.SimulatorConfig, at now: Date) throws {
        try db.execute(sql: """
            INSERT INTO simulator_config (id, tick_millis, exception_rate_bp, seed, updated_at) VALUES (1, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET tick_millis = excluded.tick_millis,
                exception_rate_bp = excluded.exception_rate_bp, seed = excluded.seed, updated_at = excluded.updated_at
            """, arguments: [config.tickMillis, config.exceptionRateBp, config.seed, now.epochMicros])
    }

    static func decode(_ data: Data) throws -> LogisticsV1.Shipment {
        try data.withUnsafeBytes { try LogisticsV1.Shipment(serializedBytes: $0) }
    }
}
