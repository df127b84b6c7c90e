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
        let afterObject = jsonObject(after)
        guard let before else {
            return ("", encode(afterObject.filter { !ignored.contains($0.key) }))
        }
        let beforeObject = jsonObject(before)
        var changedBefore: [String: Any] = [:]
        var changedAfter: [String: Any] = [:]
        for key in Set(beforeObject.keys).union(afterObject.keys) where !ignored.contains(key) {
            let old = beforeObject[key], new = afterObject[key]
            if let old, let new, encode([key: old]) == encode([key: new]) { continue }
            changedBefore[key] = old ?? NSNull()
            changedAfter[key] = new ?? NSNull()
        }
        return changedAfter.isEmpty ? ("", "") : (encode(changedBefore), encode(changedAfter))
    }

    private static func jsonObject(_ message: some ProtoMessage) -> [String: Any] {
        let data = Data(message.jsonString().utf8)
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    private static func encode(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}
