import RPCShared

/// How a shipment's status moves. Pure: no storage, no RPC.
///
/// ```
/// LABEL_CREATED → PICKED_UP → IN_TRANSIT → OUT_FOR_DELIVERY → DELIVERED
///        │   any non-terminal ⇄ EXCEPTION (the carrier may recover)     → RETURNED_TO_SENDER
///        └─ CancelShipment (never picked up) → CANCELED
/// ```
///
/// Carriers report statuses in tracking events and skip scans freely (LABEL_CREATED → DELIVERED is fine), and
/// events arrive late and out of order. So the status is the one reported by the event with the latest
/// `occurred_at`, with three rules on top:
/// - DELIVERED, RETURNED_TO_SENDER and CANCELED are terminal: once there, later events are kept in the history
///   but never change the status;
/// - a parcel that has been handed over cannot become LABEL_CREATED again (a re-sent "label created" is history);
/// - CANCELED is reached only through ``cancel(_:at:)`` (a carrier event cannot cancel; the handler rejects it).
///
/// Events are de-duplicated by `carrier_event_id`: a repeat changes nothing.
public enum ShipmentStateMachine {
    public typealias Status = LogisticsV1.ShipmentStatus

    public static func isTerminal(_ status: Status) -> Bool {
        switch status {
        case .delivered, .returnedToSender, .canceled: true
        default: false
        }
    }

    /// The parcel is with the carrier (or was): it has been picked up or dropped off.
    public static func isHandedOver(_ status: Status) -> Bool {
        switch status {
        case .pickedUp, .inTransit, .outForDelivery, .delivered, .returnedToSender: true
        default: false
        }
    }

    /// The statuses a carrier event may report.
    public static func isReportable(_ status: Status) -> Bool {
        switch status {
        case .labelCreated, .pickedUp, .inTransit, .outForDelivery, .delivered, .exception, .returnedToSender: true
        default: false
        }
    }

    /// The status a shipment in `current` takes when its newest event reports `reported`.
    public static func next(from current: Status, reported: Status) -> Status {
        if isTerminal(current) || !isReportable(reported) { return current }
        if reported == .labelCreated && current != .labelCreated { return current }
        return reported
    }

    /// Whether the parcel ever reached the carrier, by its history: CancelShipment is allowed only before.
    public static func wasPickedUp(_ shipment: LogisticsV1.Shipment) -> Bool {
        isHandedOver(shipment.status) || shipment.events.contains { isHandedOver($0.status) }
    }

    public enum Outcome: Sendable, Equatable {
        /// The `carrier_event_id` was seen before; nothing changed.
        case duplicate
        /// The event was added (the shipment's version went up); `from` → the shipment's status now.
        case recorded(from: Status, statusChanged: Bool)
    }

    /// Adds `event` to `shipment` in `occurred_at` order and moves the status if it is the newest event.
    public static func record(_ event: LogisticsV1.TrackingEvent, into shipment: inout LogisticsV1.Shipment,
                              at now: CommonV1.Timestamp) -> Outcome {
        if shipment.events.contains(where: { $0.carrierEventID == event.carrierEventID }) { return .duplicate }
        var stored = event
        stored.recordedAt = now
        let time = event.occurredAt?.epochMicros ?? now.epochMicros
        // After every event at the same instant: arrival order breaks ties in carrier time.
        let position = shipment.events.firstIndex { ($0.occurredAt?.epochMicros ?? 0) > time } ?? shipment.events.count
        shipment.events.insert(stored, at: position)
        let previous = shipment.status
        if position == shipment.events.count - 1 {
            shipment.status = next(from: previous, reported: event.status)
        }
        if shipment.status == .delivered && shipment.deliveredAt == nil {
            shipment.deliveredAt = event.occurredAt ?? now
        }
        shipment.version += 1
        shipment.updatedAt = now
        return .recorded(from: previous, statusChanged: shipment.status != previous)
    }

    public enum CancelOutcome: Sendable, Equatable {
        case canceled
        /// Already canceled: nothing to do.
        case alreadyCanceled
        /// Picked up, delivered or returned: too late.
        case forbidden(Status)
    }

    /// LABEL_CREATED (or an EXCEPTION before pickup) → CANCELED.
    public static func cancel(_ shipment: inout LogisticsV1.Shipment, at now: CommonV1.Timestamp) -> CancelOutcome {
        if shipment.status == .canceled { return .alreadyCanceled }
        if isTerminal(shipment.status) || wasPickedUp(shipment) { return .forbidden(shipment.status) }
        shipment.status = .canceled
        shipment.version += 1
        shipment.updatedAt = now
        return .canceled
    }
}
