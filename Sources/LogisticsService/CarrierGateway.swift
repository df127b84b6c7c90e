import Foundation
import RPCShared

/// What LogisticsService needs from a carrier's system. A real carrier API client (DHL, SF Express, …) would
/// implement it; in this code base the only implementation is ``CarrierSimulator``. Carriers in the catalogue
/// without a gateway are booked locally and report their scans by calling `RecordTrackingEvent` (push); a
/// gateway may also be polled (pull). Either way every tracking event goes through the one path that
/// de-duplicates it, moves the status, writes the outbox and queues peer notifications.
///
/// The calls run inside the service's write transaction, so an implementation must answer from local state: a
/// networked adapter would queue its requests in a table (as the peer-call table does) and feed its answers
/// back through `RecordTrackingEvent`.
public protocol CarrierGateway: Sendable {
    /// The catalogue carrier id this gateway books for.
    var carrierID: String { get }
    /// Books the parcel: the carrier's tracking number and, for pickup and prepaid labels, the label.
    func createLabel(_ request: LabelRequest) throws -> CarrierLabel
    /// Voids a label that was never used (the service only asks before pickup).
    func cancelLabel(_ shipment: LogisticsV1.Shipment) throws
    /// The carrier's next tracking event for an open shipment, if it has one (pull model).
    func poll(_ shipment: LogisticsV1.Shipment, at time: Date) -> LogisticsV1.TrackingEvent?
}

/// A booking request as a carrier sees it.
public struct LabelRequest: Sendable {
    public var shipmentID: String
    public var serviceCode: String
    public var method: LogisticsV1.ShippingMethod
    public var weightGrams: Int32
    public var origin: CommonV1.Address?
    public var destination: CommonV1.Address?
    /// 1 for the carrier's first booking in this service, then 2, 3, …: lets a deterministic gateway number
    /// its parcels reproducibly.
    public var sequence: Int64

    public init(shipmentID: String, serviceCode: String, method: LogisticsV1.ShippingMethod, weightGrams: Int32,
                origin: CommonV1.Address?, destination: CommonV1.Address?, sequence: Int64) {
        self.shipmentID = shipmentID
        self.serviceCode = serviceCode
        self.method = method
        self.weightGrams = weightGrams
        self.origin = origin
        self.destination = destination
        self.sequence = sequence
    }
}

/// What a carrier returns for a booking.
public struct CarrierLabel: Sendable, Equatable {
    public var trackingNumber: String
    /// Empty for drop-off (the customer shows a code at the point instead).
    public var labelURL: String

    public init(trackingNumber: String, labelURL: String) {
        self.trackingNumber = trackingNumber
        self.labelURL = labelURL
    }

    /// The booking for a catalogue carrier without a connected API: a local tracking number in the carrier's
    /// name (`DHL0000000003`) and a label reference; that carrier's scans arrive through `RecordTrackingEvent`.
    static func offline(carrierID: String, sequence: Int64, method: LogisticsV1.ShippingMethod,
                        shipmentID: String) -> CarrierLabel {
        let number = "\(carrierID.uppercased())\(String(format: "%010lld", sequence))"
        return CarrierLabel(trackingNumber: number,
                            labelURL: method == .dropOff ? "" : "aftersale://labels/\(shipmentID)")
    }
}
