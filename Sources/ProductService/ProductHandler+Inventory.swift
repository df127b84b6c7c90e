import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// Stock and reservations.
extension ProductHandler {
    /// How long a reservation holds stock when the caller names no expiry.
    public static let defaultReservationLifetime: TimeInterval = 7 * 86_400

    public func getStock(_ request: ProductV1.GetStockRequest, context: ServerContext) async throws -> ProductV1.GetStockResponse {
        var check = FieldValidator()
        check.identifier(request.sku, "sku")
        check.optionalIdentifier(request.warehouseID, "warehouse_id")
        try check.validate()
        return try await database.read { db in
            try Self.requireSKU(db, request.sku)
            let levels = try InventoryStore.levels(db, sku: request.sku, warehouseID: request.warehouseID)
            return ProductV1.GetStockResponse(levels: levels, totalAvailable: levels.reduce(0) { $0 &+ $1.available })
        }
    }

    public func adjustStock(_ request: ProductV1.AdjustStockRequest, context: ServerContext) async throws -> ProductV1.StockLevel {
        var check = FieldValidator()
        check.identifier(request.sku, "sku")
        check.identifier(request.warehouseID, "warehouse_id")
        check.require(request.delta != 0, "delta", "must not be zero")
        check.name(request.reason, "reason")
        check.nonNegative(request.expectedVersion, "expected_version")
        try check.validate()
        let now = clock.now()
        return try await database.idempotent(request, context: context, clock: clock) { db in
            try Self.requireSKU(db, request.sku)
            return try InventoryStore.adjust(db, sku: request.sku, warehouseID: request.warehouseID, delta: request.delta,
                                             reason: request.reason, expectedVersion: request.expectedVersion, now: now)
        }
    }

    public func reserveStock(_ request: ProductV1.ReserveStockRequest, context: ServerContext) async throws -> ProductV1.Reservation {
        var check = FieldValidator()
        check.identifier(request.sku, "sku")
        check.optionalIdentifier(request.warehouseID, "warehouse_id")
        check.positive(request.quantity, "quantity")
        check.optionalIdentifier(request.reference, "reference")
        check.timestamp(request.expiresAt, "expires_at")
        let now = clock.now()
        if let expiry = request.expiresAt, check.isValid, expiry.date <= now {
            check.fail("expires_at", "must be in the future")
        }
        try check.validate()
        let expiresAt = request.expiresAt?.date ?? now.addingTimeInterval(Self.defaultReservationLifetime)
        return try await database.idempotent(request, context: context, clock: clock) { db in
            try Self.requireSKU(db, request.sku)
            return try InventoryStore.reserve(db, sku: request.sku, warehouseID: request.warehouseID, quantity: request.quantity,
                                              reference: request.reference, expiresAt: expiresAt, now: now)
        }
    }

    public func releaseReservation(_ request: ProductV1.ReleaseReservationRequest, context: ServerContext) async throws -> ProductV1.Reservation {
        var check = FieldValidator()
        check.identifier(request.reservationID, "reservation_id")
        check.nonNegative(request.expectedVersion, "expected_version")
        check.name(request.reason, "reason")
        try check.validate()
        let now = clock.now()
        return try await database.idempotent(request, context: context, clock: clock) { db in
            try InventoryStore.end(db, id: request.reservationID, .release(reason: request.reason),
                                   expectedVersion: request.expectedVersion, now: now)
        }
    }

    public func commitReservation(_ request: ProductV1.CommitReservationRequest, context: ServerContext) async throws -> ProductV1.Reservation {
        var check = FieldValidator()
        check.identifier(request.reservationID, "reservation_id")
        check.nonNegative(request.expectedVersion, "expected_version")
        try check.validate()
        let now = clock.now()
        return try await database.idempotent(request, context: context, clock: clock) { db in
            try InventoryStore.end(db, id: request.reservationID, .commit, expectedVersion: request.expectedVersion, now: now)
        }
    }

    public func receiveReturn(_ request: ProductV1.ReceiveReturnRequest, context: ServerContext) async throws -> ProductV1.StockLevel {
        var check = FieldValidator()
        check.identifier(request.sku, "sku")
        check.identifier(request.warehouseID, "warehouse_id")
        check.positive(request.quantity, "quantity")
        check.known(request.disposition, "disposition")
        if request.disposition == .returnToCustomer {
            check.fail("disposition", "RETURN_TO_CUSTOMER units do not enter stock; use RESTOCK, REFURBISH or SCRAP")
        }
        check.optionalIdentifier(request.reference, "reference")
        check.nonNegative(request.expectedVersion, "expected_version")
        try check.validate()
        let now = clock.now()
        return try await database.idempotent(request, context: context, clock: clock) { db in
            try Self.requireSKU(db, request.sku)
            return try InventoryStore.receiveReturn(db, sku: request.sku, warehouseID: request.warehouseID,
                                                    quantity: request.quantity, disposition: request.disposition,
                                                    reference: request.reference, expectedVersion: request.expectedVersion,
                                                    now: now)
        }
    }
}
