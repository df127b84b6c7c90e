import Foundation
import GRDB
import RPCShared

/// The transactional outbox: a service writes the event describing a change in the same transaction as the
/// change, so an event exists exactly when its change does; ``OutboxRelay`` delivers them afterwards.
public enum Outbox {
    /// Adds `envelope` to the outbox of the current transaction, filling `event_id`, `occurred_at` and `producer`
    /// when they are empty. Returns the stored envelope.
    @discardableResult
    public static func enqueue(_ db: Database, _ envelope: ReportingV1.EventEnvelope, producer: String,
                               at now: Date) throws -> ReportingV1.EventEnvelope {
        var envelope = envelope
        if envelope.eventID.isEmpty { envelope.eventID = Identifier.make("evt", at: now) }
        if envelope.occurredAt == nil { envelope.occurredAt = CommonV1.Timestamp(now) }
        if envelope.producer.isEmpty { envelope.producer = producer }
        try db.execute(sql: "INSERT INTO outbox (event_id, envelope, created_at) VALUES (?, ?, ?)",
                       arguments: [envelope.eventID, Data(try envelope.serializedBytes()), now.epochMicros])
        return envelope
    }

    /// Events not yet acknowledged, oldest first.
    public static func pending(_ db: Database, limit: Int) throws -> [(sequence: Int64, envelope: ReportingV1.EventEnvelope)] {
        try Row.fetchAll(db, sql: "SELECT sequence, envelope FROM outbox ORDER BY sequence LIMIT ?", arguments: [limit]).map { row in
            let bytes: Data = row["envelope"]
            return (row["sequence"], try bytes.withUnsafeBytes { try ReportingV1.EventEnvelope(serializedBytes: $0) })
        }
    }

    /// How many events wait for delivery.
    public static func backlog(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0
    }
}
