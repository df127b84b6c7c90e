import Foundation
import RPCShared
import Testing
@testable import ReportingService

@Suite struct EventEnvelopeValidatorTests {
    @Test func wellFormedEventsOfEveryTypePass() {
        for envelope in March.all {
            #expect(EventEnvelopeValidator.problems(envelope) == [], "\(envelope.eventID)")
        }
    }

    static func broken(_ change: @Sendable (inout ReportingV1.EventEnvelope) -> Void, base: ReportingV1.EventEnvelope = March.orders[0]) -> ReportingV1.EventEnvelope {
        var envelope = base
        change(&envelope)
        return envelope
    }

    @Test(arguments: [
        (broken { $0.eventID = "" }, "event_id is required"),
        (broken { $0.eventID = String(repeating: "x", count: 129) }, "event_id is longer than 128 bytes"),
        (broken { $0.eventID = "has space" }, "event_id must be printable ASCII"),
        (broken { $0.eventType = .unspecified }, "event_type is required"),
        (broken { $0.eventType = .unrecognized(42) }, "event_type 42 is unknown"),
        (broken { $0.aggregateType = "case" }, "aggregate_type 'case' does not match"),
        (broken { $0.aggregateVersion = -1 }, "aggregate_version must not be negative"),
        (broken { $0.occurredAt = nil }, "occurred_at is required"),
        (broken { $0.payload = nil }, "payload is missing"),
        (broken { $0.eventType = .refundCreated; $0.aggregateType = "refund" }, "payload does not match event_type"),
        (broken { $0.aggregateID = "o2" }, "does not match the payload's id 'o1'"),
        (broken { if case .order(var o)? = $0.payload { o.currency = "eur"; $0.payload = .order(o) } }, "order.currency must be an ISO 4217 code"),
        (broken { if case .order(var o)? = $0.payload { o.lines[0].quantity = -1; $0.payload = .order(o) } }, "order.lines[0].quantity must not be negative"),
        (broken { if case .order(var o)? = $0.payload { o.lines = []; $0.payload = .order(o) } }, "order.lines needs at least one element"),
        (broken({ if case .caseEvent(var e)? = $0.payload { e.entry = nil; $0.payload = .caseEvent(e) } }, base: March.cases[0]), "case_event.entry is required"),
        (broken({ if case .caseEvent(var e)? = $0.payload { e.snapshot?.kind = .unspecified; $0.payload = .caseEvent(e) } }, base: March.cases[0]), "case_event.snapshot.kind is required"),
        (broken({ if case .refund(var r)? = $0.payload { r.amount = nil; $0.payload = .refund(r) } }, base: March.refunds[0]), "refund.amount is required"),
        (broken({ if case .shipment(var s)? = $0.payload { s.status = .unrecognized(99); $0.payload = .shipment(s) } }, base: March.shipments[0]), "shipment.status has unknown value 99"),
    ])
    func malformedEnvelopesAreNamed(_ envelope: ReportingV1.EventEnvelope, _ expected: String) {
        let problems = EventEnvelopeValidator.problems(envelope)
        #expect(problems.contains { $0.contains(expected) }, "\(problems)")
    }
}
