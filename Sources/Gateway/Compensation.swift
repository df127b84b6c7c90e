import RPCShared
import ServiceRuntime

/// An undo, stored before the call it undoes so that a crash between the call and its record still leaves the
/// undo on file. It replays the original call first (same idempotency key: the service answers with what it did,
/// or does it now if the first call never arrived) and then reverses that.
enum Compensation: Codable, Sendable, Equatable {
    /// Release the stock reservation made by `ProductService.ReserveStock` under `stepKey`.
    case releaseReservation(stepKey: String, request: [UInt8])
    /// Cancel the shipment booked by `LogisticsService.CreateShipment` under `stepKey`.
    case cancelShipment(stepKey: String, request: [UInt8])

    /// Reasons a service gives when there is nothing left to undo; they end the compensation.
    private static func isSettled(_ error: any Error) -> Bool { !GatewayCallError.isTransient(error) }

    /// Runs the undo. Throws only transient failures (the reconciler tries again later); a definitive refusal —
    /// the reservation was already committed, the parcel already picked up — is logged by the caller and counts
    /// as done, because no retry could change it.
    func perform(_ downstream: Downstream, budget: DownstreamBudget, undoKey: String) async throws -> String {
        do {
            switch self {
            case .releaseReservation(let stepKey, let request):
                let reservation = try await downstream.product.reserveStock(
                    try ProductV1.ReserveStockRequest(serializedBytes: request),
                    options: try budget.mutation(idempotencyKey: stepKey))
                _ = try await downstream.product.releaseReservation(
                    .init(reservationID: reservation.id, reason: "after-sale workflow compensated"),
                    options: try budget.mutation(idempotencyKey: undoKey))
                return "released reservation \(reservation.id)"
            case .cancelShipment(let stepKey, let request):
                let shipment = try await downstream.logistics.createShipment(
                    try LogisticsV1.CreateShipmentRequest(serializedBytes: request),
                    options: try budget.mutation(idempotencyKey: stepKey))
                _ = try await downstream.logistics.cancelShipment(
                    .init(shipmentID: shipment.id, reason: "after-sale workflow compensated"),
                    options: try budget.mutation(idempotencyKey: undoKey))
                return "canceled shipment \(shipment.id)"
            }
        } catch where Self.isSettled(error) {
            return "nothing to undo (\(error))"
        }
    }
}
