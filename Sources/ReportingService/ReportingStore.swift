import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// The reporting database: the de-duplication record of every ingested event and the projections the reports
/// read (sales lines, cases with their lines and status history, refunds, feedback, shipments).
///
/// An event is ingested in one transaction: its `ingested_event` row (the de-duplication key) and its projection
/// commit together, so a crash can neither count an event without its effect nor apply it twice.
enum ReportingStore {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporting.v1") { db in
            try db.execute(sql: """
                CREATE TABLE ingested_event (
                    event_id TEXT PRIMARY KEY,
                    event_type INTEGER NOT NULL,
                    aggregate_type TEXT NOT NULL,
                    aggregate_id TEXT NOT NULL,
                    aggregate_version INTEGER NOT NULL,
                    occurred_at INTEGER NOT NULL,
                    ingested_at INTEGER NOT NULL,
                    stale INTEGER NOT NULL,
                    envelope BLOB NOT NULL
                );
                CREATE INDEX ingested_event_occurred ON ingested_event(occurred_at);
                CREATE TABLE aggregate_state (
                    aggregate_type TEXT NOT NULL,
                    aggregate_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    PRIMARY KEY (aggregate_type, aggregate_id)
                ) WITHOUT ROWID;
                CREATE TABLE order_fact (
                    order_id TEXT PRIMARY KEY,
                    customer_id TEXT NOT NULL,
                    market TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    placed_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE sale_line (
                    order_id TEXT NOT NULL,
                    order_line_id TEXT NOT NULL,
                    product_id TEXT NOT NULL,
                    category_id TEXT NOT NULL,
                    sku TEXT NOT NULL,
                    market TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    quantity INTEGER NOT NULL,
                    placed_at INTEGER NOT NULL,
                    PRIMARY KEY (order_id, order_line_id)
                ) WITHOUT ROWID;
                CREATE INDEX sale_line_placed ON sale_line(placed_at);
                CREATE TABLE product_dim (
                    product_id TEXT PRIMARY KEY,
                    category_id TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE case_fact (
                    case_id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL,
                    kind INTEGER NOT NULL,
                    status INTEGER NOT NULL,
                    market TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    resolved_at INTEGER,
                    closed_at INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX case_fact_created ON case_fact(created_at);
                CREATE TABLE case_line_fact (
                    case_id TEXT NOT NULL,
                    case_line_id TEXT NOT NULL,
                    order_line_id TEXT NOT NULL,
                    product_id TEXT NOT NULL,
                    category_id TEXT NOT NULL,
                    reason INTEGER NOT NULL,
                    issue_category INTEGER NOT NULL,
                    quantity INTEGER NOT NULL,
                    PRIMARY KEY (case_id, case_line_id)
                ) WITHOUT ROWID;
                CREATE TABLE case_history (
                    case_id TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    event_type INTEGER NOT NULL,
                    from_status INTEGER NOT NULL,
                    to_status INTEGER NOT NULL,
                    occurred_at INTEGER NOT NULL,
                    PRIMARY KEY (case_id, sequence)
                ) WITHOUT ROWID;
                CREATE TABLE refund_fact (
                    refund_id TEXT PRIMARY KEY,
                    case_id TEXT NOT NULL,
                    order_id TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    amount_minor INTEGER NOT NULL,
                    status INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    succeeded_at INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX refund_fact_succeeded ON refund_fact(succeeded_at);
                CREATE TABLE feedback_fact (
                    feedback_id TEXT PRIMARY KEY,
                    customer_id TEXT NOT NULL,
                    order_id TEXT NOT NULL,
                    product_id TEXT NOT NULL,
                    case_id TEXT NOT NULL,
                    rating INTEGER NOT NULL,
                    sentiment REAL,
                    issue_category INTEGER NOT NULL,
                    created_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX feedback_fact_created ON feedback_fact(created_at);
                CREATE TABLE shipment_fact (
                    shipment_id TEXT PRIMARY KEY,
                    kind INTEGER NOT NULL,
                    status INTEGER NOT NULL,
                    order_id TEXT NOT NULL,
                    case_id TEXT NOT NULL,
                    carrier_id TEXT NOT NULL,
                    created_at INTEGER,
                    delivered_at INTEGER
                ) WITHOUT ROWID;
                """)
        }
    }

    /// Ingests a batch in one transaction: invalid envelopes are rejected with their reasons, known event ids are
    /// duplicates, events older than their aggregate's newest version are stale (acknowledged; their snapshot
    /// is not applied), the rest are projected.
    static func ingest(_ db: Database, _ events: [ReportingV1.EventEnvelope], now: Date) throws -> ReportingV1.IngestEventsResponse {
        var response = ReportingV1.IngestEventsResponse()
        for envelope in events {
            let problems = EventEnvelopeValidator.problems(envelope)
            if !problems.isEmpty {
                response.rejected.append(.init(eventID: envelope.eventID, reason: problems.joined(separator: "; ")))
                continue
            }
            let stale = try isStale(db, envelope)
            try db.execute(sql: """
                INSERT OR IGNORE INTO ingested_event (event_id, event_type, aggregate_type, aggregate_id, aggregate_version,
                    occurred_at, ingested_at, stale, envelope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [envelope.eventID, envelope.eventType.rawValue, envelope.aggregateType, envelope.aggregateID,
                                 envelope.aggregateVersion, envelope.occurredAt?.epochMicros ?? 0, now.epochMicros, stale,
                                 Data(try envelope.serializedBytes())])
            if db.changesCount == 0 {
                response.duplicates += 1
                continue
            }
            response.accepted += 1
            try EventProjection.apply(db, envelope, stale: stale)
            if !stale { try recordVersion(db, envelope) }
        }
        return response
    }

    /// Stale: a newer version of the same aggregate was already applied. Version 0 means "unversioned"
    /// (feedback is immutable) and is never stale.
    private static func isStale(_ db: Database, _ envelope: ReportingV1.EventEnvelope) throws -> Bool {
        guard envelope.aggregateVersion > 0 else { return false }
        let seen = try Int64.fetchOne(db, sql: "SELECT version FROM aggregate_state WHERE aggregate_type = ? AND aggregate_id = ?",
                                      arguments: [envelope.aggregateType, envelope.aggregateID])
        return (seen ?? 0) > envelope.aggregateVersion
    }

    private static func recordVersion(_ db: Database, _ envelope: ReportingV1.EventEnvelope) throws {
        guard envelope.aggregateVersion > 0 else { return }
        try db.execute(sql: """
            INSERT INTO aggregate_state (aggregate_type, aggregate_id, version) VALUES (?, ?, ?)
            ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET version = max(version, excluded.version)
            """, arguments: [envelope.aggregateType, envelope.aggregateID, envelope.aggregateVersion])
    }

    /// The `occurred_at` of the newest event ingested (nil before the first).
    static func dataAsOf(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT MAX(occurred_at) FROM ingested_event")
    }
}
