import Foundation
import RPCShared

/// The carrier **simulator** (carrier id `simulator`): a ``CarrierGateway`` that invents a carrier's scans so
/// that shipments move in development, demos and tests. It is not a carrier and is named a simulator everywhere.
///
/// Each step emits one tracking event: LABEL_CREATED → PICKED_UP → IN_TRANSIT → OUT_FOR_DELIVERY → DELIVERED,
/// except that with probability `exception_rate_bp / 10 000` a step reports EXCEPTION instead, and the step
/// after an EXCEPTION recovers to the status after the last one reached before it. RETURNED_TO_SENDER happens only
/// when forced (``Directive/until(_:)``).
///
/// **Determinism.** The simulator keeps no state: the random draw for a shipment's n-th event is
/// `splitmix64(seed ⊕ fnv1a(tracking number) ⊕ n·φ)`, and tracking numbers come from the booking sequence
/// (`SIM0000000001`, …). Two runs with the same seed that book and advance the same shipments in the same order
/// produce the same events, ids and statuses, across restarts too. Event times are the caller's clock.
public struct CarrierSimulator: CarrierGateway {
    public var carrierID: String { CarrierCatalogue.simulatorCarrierID }
    public let config: LogisticsV1.SimulatorConfig

    /// At most this many steps per shipment and call, whatever is asked: a forced status is always reached
    /// well within it, and a typo cannot spin a transaction.
    public static let maxStepsPerCall = 64

    public init(config: LogisticsV1.SimulatorConfig) { self.config = config }

    public func createLabel(_ request: LabelRequest) throws -> CarrierLabel {
        let number = "SIM" + String(format: "%010lld", request.sequence)
        return CarrierLabel(trackingNumber: number,
                            labelURL: request.method == .dropOff ? "" : "https://simulator.aftersale.invalid/labels/\(number).pdf")
    }

    /// Simulated labels can always be voided before pickup.
    public func cancelLabel(_ shipment: LogisticsV1.Shipment) throws {}

    /// One automatic step, as the ticker asks for it.
    public func poll(_ shipment: LogisticsV1.Shipment, at time: Date) -> LogisticsV1.TrackingEvent? {
        nextEvent(for: shipment, forcing: nil, at: time)
    }

    /// How far ``AdvanceSimulation`` moves a shipment.
    public enum Directive: Sendable, Equatable {
        case steps(Int)
        /// Until the shipment is in this status (or terminal). EXCEPTION and RETURNED_TO_SENDER are forced.
        case until(LogisticsV1.ShipmentStatus)
    }

    /// Whether another step is due after `taken` steps, given the shipment as recorded now.
    public static func shouldContinue(_ shipment: LogisticsV1.Shipment, _ directive: Directive, taken: Int) -> Bool {
        guard taken < maxStepsPerCall, !ShipmentStateMachine.isTerminal(shipment.status) else { return false }
        switch directive {
        case .steps(let count):
            return taken < count
        case .until(let target):
            if shipment.status == target { return false }
            if let have = progressRank(shipment.status), let want = progressRank(target), have >= want { return false }
            return true
        }
    }

    /// The status the directive forces on the next step, if any.
    public static func forced(_ directive: Directive) -> LogisticsV1.ShipmentStatus? {
        if case .until(let target) = directive, target == .exception || target == .returnedToSender { return target }
        return nil
    }

    /// The next simulated scan of `shipment`, or nil when it is terminal.
    public func nextEvent(for shipment: LogisticsV1.Shipment, forcing forced: LogisticsV1.ShipmentStatus?,
                          at time: Date) -> LogisticsV1.TrackingEvent? {
        var ordinal = shipment.events.count + 1
        var eventID = "sim-\(shipment.trackingNumber)-\(ordinal)"
        while shipment.events.contains(where: { $0.carrierEventID == eventID }) {
            ordinal += 1
            eventID = "sim-\(shipment.trackingNumber)-\(ordinal)"
        }
        let lastProgress = shipment.events.last { $0.status != .exception }?.status ?? .labelCreated
        guard let status = Self.step(current: shipment.status, lastProgress: lastProgress,
                                     draw: Self.draw(seed: config.seed, trackingNumber: shipment.trackingNumber,
                                                     ordinal: ordinal),
                                     exceptionRateBP: config.exceptionRateBp, forced: forced) else { return nil }
        // Simulated scans are always the newest: never before the last recorded one.
        let last = shipment.events.last?.occurredAt?.epochMicros ?? Int64.min
        let micros = max(time.epochMicros, last == Int64.min ? Int64.min : last + 1_000_000)
        return LogisticsV1.TrackingEvent(carrierEventID: eventID, status: status,
                                         location: Self.location(status, shipment), occurredAt: .init(epochMicros: micros),
                                         detail: Self.detail(status))
    }

    /// The status the next scan reports (nil = nothing left to simulate).
    public static func step(current: LogisticsV1.ShipmentStatus, lastProgress: LogisticsV1.ShipmentStatus,
                            draw: UInt64, exceptionRateBP: Int32,
                            forced: LogisticsV1.ShipmentStatus?) -> LogisticsV1.ShipmentStatus? {
        if ShipmentStateMachine.isTerminal(current) { return nil }
        switch forced {
        case .returnedToSender?:
            let handedOver = ShipmentStateMachine.isHandedOver(current)
                || (current == .exception && ShipmentStateMachine.isHandedOver(lastProgress))
            return handedOver ? .returnedToSender : .pickedUp
        case .exception?:
            return current == .exception ? nil : .exception
        default:
            break
        }
        if current == .exception { return successor(lastProgress) }
        if draw % 10_000 < UInt64(max(0, exceptionRateBP)) { return .exception }
        return successor(current)
    }

    static func successor(_ status: LogisticsV1.ShipmentStatus) -> LogisticsV1.ShipmentStatus {
        switch status {
        case .pickedUp: .inTransit
        case .inTransit: .outForDelivery
        case .outForDelivery, .delivered: .delivered
        default: .pickedUp
        }
    }

    /// Position on the happy path (LABEL_CREATED = 1 … DELIVERED = 5); nil for the others.
    static func progressRank(_ status: LogisticsV1.ShipmentStatus) -> Int? {
        switch status {
        case .labelCreated: 1
        case .pickedUp: 2
        case .inTransit: 3
        case .outForDelivery: 4
        case .delivered: 5
        default: nil
        }
    }

    /// A uniformly distributed 64-bit value for a shipment's n-th event under `seed`.
    public static func draw(seed: Int64, trackingNumber: String, ordinal: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in trackingNumber.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        var z = UInt64(bitPattern: seed) ^ hash ^ (UInt64(ordinal) &* 0x9E37_79B9_7F4A_7C15)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func location(_ status: LogisticsV1.ShipmentStatus, _ shipment: LogisticsV1.Shipment) -> String {
        func place(_ address: CommonV1.Address?) -> String {
            guard let address else { return "unknown" }
            return [address.city, address.country].filter { !$0.isEmpty }.joined(separator: ", ")
        }
        switch status {
        case .pickedUp, .returnedToSender: return "Simulator: " + place(shipment.origin)
        case .outForDelivery, .delivered: return "Simulator: " + place(shipment.destination)
        default: return "Simulator hub"
        }
    }

    static func detail(_ status: LogisticsV1.ShipmentStatus) -> String {
        switch status {
        case .pickedUp: "Simulated: parcel picked up"
        case .inTransit: "Simulated: departed sorting hub"
        case .outForDelivery: "Simulated: out for delivery"
        case .delivered: "Simulated: delivered"
        case .exception: "Simulated: delayed at sorting hub"
        case .returnedToSender: "Simulated: returned to sender"
        default: "Simulated scan"
        }
    }
}
