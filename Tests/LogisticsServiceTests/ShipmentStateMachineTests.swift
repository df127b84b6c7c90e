import LogisticsService
import RPCShared
import Testing

/// Every (current status, reported status) pair, and the history rules: duplicates, out-of-order events,
/// terminal statuses, cancellation.
@Suite(.serialized) struct ShipmentStateMachineTests {
    typealias S = LogisticsV1.ShipmentStatus
    static let all: [S] = [.labelCreated, .pickedUp, .inTransit, .outForDelivery, .delivered, .exception,
                           .returnedToSender, .canceled]

    /// The full table: what the newest event does to each status.
    static func expected(_ current: S, _ reported: S) -> S {
        switch current {
        case .delivered, .returnedToSender, .canceled: return current            // terminal: sticks
        default:
            if reported == .canceled { return current }                        // never through events
            if reported == .labelCreated && current != .labelCreated { return current }
            return reported
        }
    }

    @Test(arguments: ShipmentStateMachineTests.all, ShipmentStateMachineTests.all)
    func newestEventMovesTheStatus(_ current: S, _ reported: S) {
        #expect(ShipmentStateMachine.next(from: current, reported: reported) == Self.expected(current, reported))
    }

    @Test(arguments: [
        (S.labelCreated, S.pickedUp, true), (.pickedUp, .inTransit, true), (.inTransit, .outForDelivery, true),
        (.outForDelivery, .delivered, true), (.labelCreated, .delivered, true),       // skipped scans are fine
        (.inTransit, .exception, true), (.exception, .inTransit, true),                // exceptions recover
        (.outForDelivery, .inTransit, true),                                           // failed attempt, back to depot
        (.inTransit, .returnedToSender, true),
        (.pickedUp, .labelCreated, false), (.delivered, .inTransit, false), (.delivered, .exception, false),
        (.returnedToSender, .delivered, false), (.canceled, .pickedUp, false), (.labelCreated, .canceled, false),
    ])
    func allowedAndForbiddenTransitions(_ from: S, _ to: S, _ allowed: Bool) {
        #expect((ShipmentStateMachine.next(from: from, reported: to) == to) == allowed)
    }

    @Test func duplicatesChangeNothing() {
        var shipment = Fixtures.shipment(.labelCreated)
        let now = CommonV1.Timestamp(epochSeconds: 1_000)
        #expect(ShipmentStateMachine.record(Fixtures.event("e1", .pickedUp, at: 100), into: &shipment, at: now)
                == .recorded(from: .labelCreated, statusChanged: true))
        let before = shipment
        // Same carrier event id, even with other content: ignored.
        #expect(ShipmentStateMachine.record(Fixtures.event("e1", .delivered, at: 200), into: &shipment, at: now) == .duplicate)
        #expect(shipment == before)
        #expect(shipment.version == 2)
        #expect(shipment.events.first?.recordedAt == now)
    }

    @Test func outOfOrderEventsAreKeptInTimeOrderAndTheNewestDecides() {
        var shipment = Fixtures.shipment(.labelCreated)
        let now = CommonV1.Timestamp(epochSeconds: 1_000)
        _ = ShipmentStateMachine.record(Fixtures.event("c", .outForDelivery, at: 300), into: &shipment, at: now)
        #expect(shipment.status == .outForDelivery)
        // Older scans arrive late: history fills in, the status stays with the newest.
        #expect(ShipmentStateMachine.record(Fixtures.event("a", .pickedUp, at: 100), into: &shipment, at: now)
                == .recorded(from: .outForDelivery, statusChanged: false))
        _ = ShipmentStateMachine.record(Fixtures.event("b", .inTransit, at: 200), into: &shipment, at: now)
        #expect(shipment.events.map(\.carrierEventID) == ["a", "b", "c"])
        #expect(shipment.status == .outForDelivery)
        _ = ShipmentStateMachine.record(Fixtures.event("d", .delivered, at: 400), into: &shipment, at: now)
        #expect(shipment.status == .delivered)
        #expect(shipment.deliveredAt == .init(epochSeconds: 400))
        #expect(shipment.version == 5)
    }

    @Test func terminalStatusesStickButHistoryIsKept() {
        var shipment = Fixtures.shipment(.labelCreated)
        let now = CommonV1.Timestamp(epochSeconds: 1_000)
        _ = ShipmentStateMachine.record(Fixtures.event("a", .delivered, at: 100), into: &shipment, at: now)
        #expect(ShipmentStateMachine.record(Fixtures.event("b", .exception, at: 200), into: &shipment, at: now)
                == .recorded(from: .delivered, statusChanged: false))
        #expect(shipment.status == .delivered)
        #expect(shipment.events.count == 2)
    }

    @Test func equalTimesKeepArrivalOrder() {
        var shipment = Fixtures.shipment(.labelCreated)
        let now = CommonV1.Timestamp(epochSeconds: 1_000)
        _ = ShipmentStateMachine.record(Fixtures.event("a", .pickedUp, at: 100), into: &shipment, at: now)
        _ = ShipmentStateMachine.record(Fixtures.event("b", .inTransit, at: 100), into: &shipment, at: now)
        #expect(shipment.events.map(\.carrierEventID) == ["a", "b"])
        #expect(shipment.status == .inTransit)
    }

    @Test(arguments: [
        (S.labelCreated, [S](), ShipmentStateMachine.CancelOutcome.canceled),
        (.exception, [.exception], .canceled),                                // failed pickup attempt: still cancelable
        (.exception, [.pickedUp, .exception], .forbidden(.exception)),       // was picked up once
        (.pickedUp, [.pickedUp], .forbidden(.pickedUp)),
        (.delivered, [.delivered], .forbidden(.delivered)),
        (.canceled, [], .alreadyCanceled),
    ])
    func cancelOnlyBeforePickup(_ status: S, _ history: [S], _ outcome: ShipmentStateMachine.CancelOutcome) {
        var shipment = Fixtures.shipment(status, events: history.enumerated().map {
            Fixtures.event("e\($0.offset)", $0.element, at: Int64($0.offset))
        })
        let before = shipment
        #expect(ShipmentStateMachine.cancel(&shipment, at: .init(epochSeconds: 5)) == outcome)
        if outcome == .canceled {
            #expect(shipment.status == .canceled && shipment.version == before.version + 1)
        } else {
            #expect(shipment == before)
        }
    }
}
