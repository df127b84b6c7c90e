import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// Writes what a case change leaves behind, in the transaction of the change: one append-only timeline entry
/// (actor, event, from/to status, message, the changed fields before/after as JSON) and one outbox event.
enum CaseJournal {
    static let producer = OrderV1.OrderService.name

    /// Records a change of `after` (`before` nil when the case was just opened). Returns the stored event.
    @discardableResult
    static func record(_ db: Database, before: OrderV1.Case?, after: OrderV1.Case, event: OrderV1.CaseEventType,
                       actor: CommonV1.Actor?, message: String, at now: Date) throws -> OrderV1.CaseEvent {
        let (beforeJSON, afterJSON) = changedFields(before: before, after: after)
        let caseEvent = try appendEntry(db, afterSaleCase: after, from: before?.status ?? .unspecified, event: event,
                                        actor: actor, message: message, before: beforeJSON, after: afterJSON, at: now)
        let type: ReportingV1.EventType = before == nil ? .caseOpened
            : (before?.status != after.status ? .caseStatusChanged : .caseUpdated)
        try Outbox.enqueue(db, ReportingV1.EventEnvelope(
            eventType: type, aggregateType: "case", aggregateID: after.id, aggregateVersion: after.version,
            occurredAt: CommonV1.Timestamp(now), payload: .caseEvent(caseEvent)), producer: producer, at: now)
        return caseEvent
    }

    /// Records a refund's lifecycle step on its case's timeline (status unchanged) and emits the refund event
    /// (REFUND_CREATED / SUCCEEDED / FAILED with the refund as payload; a retry, which has no refund event type,
    /// is a CASE_UPDATED).
    static func recordRefund(_ db: Database, refund: OrderV1.Refund, before: OrderV1.Refund?, afterSaleCase: OrderV1.Case,
                             event: OrderV1.CaseEventType, actor: CommonV1.Actor?, message: String,
                             at now: Date) throws {
        let (beforeJSON, afterJSON) = changedFields(before: before, after: refund)
        let caseEvent = try appendEntry(db, afterSaleCase: afterSaleCase, from: afterSaleCase.status, event: event,
                                        actor: actor, message: message, before: beforeJSON, after: afterJSON, at: now)
        var envelope = ReportingV1.EventEnvelope(aggregateType: "refund", aggregateID: refund.id,
                                                 aggregateVersion: refund.version, occurredAt: CommonV1.Timestamp(now),
                                                 payload: .refund(refund))
        switch event {
        case .refundCreated: envelope.eventType = .refundCreated
        case .refundSucceeded: envelope.eventType = .refundSucceeded
        case .refundFailed: envelope.eventType = .refundFailed
        default:
            envelope = ReportingV1.EventEnvelope(eventType: .caseUpdated, aggregateType: "case", aggregateID: afterSaleCase.id,
                                                 aggregateVersion: afterSaleCase.version,
                                                 occurredAt: CommonV1.Timestamp(now), payload: .caseEvent(caseEvent))
        }
        try Outbox.enqueue(db, envelope, producer: producer, at: now)
    }

    private static func appendEntry(_ db: Database, afterSaleCase: OrderV1.Case, from: OrderV1.CaseStatus,
                                    event: OrderV1.CaseEventType, actor: CommonV1.Actor?, message: String,
                                    before: String, after: String, at now: Date) throws -> OrderV1.CaseEvent {
        let entry = try OrderStore.appendTimeline(db, OrderV1.TimelineEntry(
            id: Identifier.make("tle", at: now), caseID: afterSaleCase.id, actor: actor ?? .init(kind: .system, id: "order"),
            eventType: event, fromStatus: from, toStatus: afterSaleCase.status, message: message,
            occurredAt: CommonV1.Timestamp(now), before: before, after: after), snapshot: afterSaleCase)
        return OrderV1.CaseEvent(entry: entry, snapshot: afterSaleCase)
    }

    /// The top-level fields that differ between `before` and `after`, each side as compact JSON with sorted keys
    /// (bookkeeping fields `version` and `updatedAt` left out). `before` nil: every field of `after`, before "".
    static func changedFields<M: ProtoMessage>(before: M?, after: M) -> (before: String, after: String) {
        let ignored: Set<String> = ["version", "updatedAt"]
        let afterFields = fields(after)
        guard let before else {
            return ("", encode(afterFields.filter { !ignored.contains($0.key) }))
        }
        let beforeFields = fields(before)
        var changedBefore: [String: JSONValue] = [:]
        var changedAfter: [String: JSONValue] = [:]
        for key in Set(beforeFields.keys).union(afterFields.keys) where !ignored.contains(key) {
            let old = beforeFields[key], new = afterFields[key]
            // Both sides come from the same deterministic proto JSON writer, so equal values are equal documents.
            if old == new { continue }
            changedBefore[key] = old ?? .null
            changedAfter[key] = new ?? .null
        }
        return changedAfter.isEmpty ? ("", "") : (encode(changedBefore), encode(changedAfter))
    }

    /// The message's top-level fields as parsed JSON, by JSON name (RPCShared's parser: the timeline is written on
    /// every case change, and Foundation's JSONSerialization round trip was a large share of OrderService's CPU).
    private static func fields(_ message: some ProtoMessage) -> [String: JSONValue] {
        guard case .object(let members)? = try? JSONParser.parse(message.jsonString()) else { return [:] }
        var fields: [String: JSONValue] = [:]
        for member in members { fields[member.key] = member.value }
        return fields
    }

    /// Compact JSON with sorted keys at every level.
    private static func encode(_ fields: [String: JSONValue]) -> String {
        var writer = JSONWriter()
        writer.value(.object(fields.map { JSONMember(key: $0.key, value: $0.value) }), sortedKeys: true)
        return writer.result
    }
}
