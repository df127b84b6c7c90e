import RPCShared
import ServiceRuntime

/// Checks one event envelope before it is ingested. A malformed event is rejected with a reason (retrying cannot
/// help, so the relay moves it aside) while the rest of its batch goes on; see docs/services/reporting.md.
enum EventEnvelopeValidator {
    /// The most events one IngestEvents call may carry.
    static let maxBatch = 500

    /// The aggregate type and payload every event type must carry.
    static func expectedAggregate(_ type: ReportingV1.EventType) -> String? {
        switch type {
        case .orderPlaced, .orderDelivered: "order"
        case .caseOpened, .caseStatusChanged, .caseUpdated: "case"
        case .refundCreated, .refundSucceeded, .refundFailed: "refund"
        case .feedbackSubmitted: "feedback"
        case .shipmentStatusChanged: "shipment"
        case .unspecified, .unrecognized: nil
        }
    }

    /// Everything wrong with `envelope`, as one sentence per problem; empty when it can be ingested.
    static func problems(_ envelope: ReportingV1.EventEnvelope) -> [String] {
        var check = FieldValidator()
        check.identifier(envelope.eventID, "event_id")
        check.identifier(envelope.aggregateID, "aggregate_id")
        check.nonNegative(envelope.aggregateVersion, "aggregate_version")
        check.timestamp(envelope.occurredAt, "occurred_at", required: true)
        check.name(envelope.producer, "producer")
        var problems = check.violations.map { "\($0.field) \($0.description)" }

        guard let aggregate = expectedAggregate(envelope.eventType) else {
            problems.append(envelope.eventType == .unspecified
                ? "event_type is required"
                : "event_type \(envelope.eventType.rawValue) is unknown to this server")
            return problems
        }
        if envelope.aggregateType != aggregate {
            problems.append("aggregate_type '\(envelope.aggregateType)' does not match event_type \(envelope.eventType.protoName ?? ""), which needs '\(aggregate)'")
        }
        guard let payload = envelope.payload else {
            problems.append("payload is missing; \(envelope.eventType.protoName ?? "") needs \(article(aggregate)) payload")
            return problems
        }
        let (payloadAggregate, payloadID, payloadProblems) = describe(payload)
        if payloadAggregate != aggregate {
            problems.append("payload does not match event_type: \(envelope.eventType.protoName ?? "") needs \(article(aggregate)) payload, got \(payloadAggregate)")
            return problems
        }
        if !envelope.aggregateID.isEmpty && payloadID != envelope.aggregateID {
            problems.append("aggregate_id '\(envelope.aggregateID)' does not match the payload's id '\(payloadID)'")
        }
        return problems + payloadProblems
    }

    private static func article(_ noun: String) -> String {
        (noun.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + noun
    }

    /// The payload's aggregate type, its id and what is wrong with it.
    private static func describe(_ payload: ReportingV1.EventEnvelope.Payload) -> (String, String, [String]) {
        var check = FieldValidator()
        let result: (String, String)
        switch payload {
        case .order(let order):
            result = ("order", order.id)
            check.identifier(order.id, "order.id")
            check.currency(order.currency, "order.currency")
            check.timestamp(order.placedAt, "order.placed_at", required: true)
            check.count(order.lines, "order.lines", required: true)
            for (index, line) in order.lines.enumerated() {
                check.identifier(line.id, "order.lines[\(index)].id")
                check.identifier(line.productID, "order.lines[\(index)].product_id")
                check.optionalIdentifier(line.categoryID, "order.lines[\(index)].category_id")
                check.nonNegative(line.quantity, "order.lines[\(index)].quantity")
            }
        case .caseEvent(let event):
            let snapshot = event.snapshot ?? OrderV1.Case()
            result = ("case", snapshot.id)
            if event.snapshot == nil { check.fail("case_event.snapshot", "is required") }
            check.identifier(snapshot.id, "case_event.snapshot.id")
            check.identifier(snapshot.orderID, "case_event.snapshot.order_id")
            check.known(snapshot.kind, "case_event.snapshot.kind")
            check.known(snapshot.status, "case_event.snapshot.status")
            check.timestamp(snapshot.createdAt, "case_event.snapshot.created_at", required: true)
            check.timestamp(snapshot.resolvedAt, "case_event.snapshot.resolved_at")
            if let entry = event.entry {
                check.positive(entry.sequence, "case_event.entry.sequence")
                check.known(entry.eventType, "case_event.entry.event_type")
                check.timestamp(entry.occurredAt, "case_event.entry.occurred_at", required: true)
                if !entry.caseID.isEmpty && entry.caseID != snapshot.id {
                    check.fail("case_event.entry.case_id", "'\(entry.caseID)' is not the snapshot's case '\(snapshot.id)'")
                }
            } else {
                check.fail("case_event.entry", "is required")
            }
            for (index, line) in snapshot.lines.enumerated() {
                check.identifier(line.id, "case_event.snapshot.lines[\(index)].id")
            }
        case .refund(let refund):
            result = ("refund", refund.id)
            check.identifier(refund.id, "refund.id")
            check.money(refund.amount, "refund.amount")
            check.known(refund.status, "refund.status")
            check.timestamp(refund.createdAt, "refund.created_at", required: true)
            check.timestamp(refund.updatedAt, "refund.updated_at")
        case .feedback(let feedback):
            result = ("feedback", feedback.id)
            check.identifier(feedback.id, "feedback.id")
            check.range(feedback.rating, 1...5, "feedback.rating")
            check.timestamp(feedback.createdAt, "feedback.created_at", required: true)
            if let score = feedback.sentiment?.score, !(-1.0...1.0).contains(score) {
                check.fail("feedback.sentiment.score", "must be between -1 and 1, got \(score)")
            }
        case .shipment(let shipment):
            result = ("shipment", shipment.id)
            check.identifier(shipment.id, "shipment.id")
            check.known(shipment.status, "shipment.status")
        }
        return (result.0, result.1, check.violations.map { "\($0.field) \($0.description)" })
    }
}
