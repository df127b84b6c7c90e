import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// The one path every tracking event takes — a carrier's webhook through `RecordTrackingEvent`, the simulator's
/// steps, a poll — inside the caller's write transaction: de-duplicate and apply it (``ShipmentStateMachine``),
/// store the shipment, and when the status changed write `SHIPMENT_STATUS_CHANGED` to the outbox and queue the
/// OrderService notification the change calls for.
enum TrackingRecorder {
    static let producer = "aftersale.logistics.v1.LogisticsService"
    /// How LogisticsService appears on OrderService's case timeline.
    static let actor = CommonV1.Actor(kind: .service, id: "logistics")

    /// Records `event` on shipment `id`. A duplicate `carrier_event_id` returns the shipment unchanged (before
    /// the version check: a carrier retrying its webhook must not fail).
    static func record(_ db: Database, shipmentID id: String, event: LogisticsV1.TrackingEvent,
                       expectedVersion: Int64 = 0, now: Date) throws -> (shipment: LogisticsV1.Shipment, changed: Bool) {
        var shipment = try ShipmentStore.require(db, id)
        if shipment.events.contains(where: { $0.carrierEventID == event.carrierEventID }) { return (shipment, false) }
        try RPCError.checkVersion("shipment", id, expected: expectedVersion, current: shipment.version)
        guard case .recorded(_, let changed) = ShipmentStateMachine.record(event, into: &shipment, at: CommonV1.Timestamp(now)) else {
            return (shipment, false)
        }
        try ShipmentStore.update(db, shipment)
        if changed { try statusChanged(db, shipment, now: now) }
        try queuePeerCalls(db, shipment, now: now)
        return (shipment, true)
    }

    /// The outbox event for a status change (creation, cancellation and tracking alike).
    static func statusChanged(_ db: Database, _ shipment: LogisticsV1.Shipment, now: Date) throws {
        try Outbox.enqueue(db, ReportingV1.EventEnvelope(
            eventType: .shipmentStatusChanged, aggregateType: "shipment", aggregateID: shipment.id,
            aggregateVersion: shipment.version, payload: .shipment(shipment)), producer: producer, at: now)
    }

    /// REVERSE shipment of a case handed over to the carrier → `MarkShipped`; OUTBOUND shipment of an order
    /// delivered → `MarkDelivered` (its fulfilment is looked up when sending). Keys make each at most once.
    static func queuePeerCalls(_ db: Database, _ shipment: LogisticsV1.Shipment, now: Date) throws {
        switch shipment.kind {
        case .reverse where !shipment.caseID.isEmpty && shipment.status != .canceled
                && ShipmentStateMachine.wasPickedUp(shipment):
            let handedOver = shipment.events.first { ShipmentStateMachine.isHandedOver($0.status) }
            let request = OrderV1.MarkShippedRequest(caseID: shipment.caseID, shipmentID: shipment.id,
                                                     shippedAt: handedOver?.occurredAt, actor: actor)
            try PeerCallStore.enqueue(db, method: .markShipped, key: "shipped:\(shipment.id)", shipmentID: shipment.id,
                                      request: request, at: now)
        case .outbound where !shipment.orderID.isEmpty && shipment.status == .delivered:
            let request = OrderV1.MarkDeliveredRequest(orderID: shipment.orderID, deliveredAt: shipment.deliveredAt)
            try PeerCallStore.enqueue(db, method: .markDelivered, key: "delivered:\(shipment.id)", shipmentID: shipment.id,
                                      request: request, at: now)
        default:
            break
        }
    }
}
