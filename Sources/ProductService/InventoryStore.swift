import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// Stock per (SKU, warehouse) and reservations against it. Every change runs inside one write transaction
/// (GRDB's single writer serialises them), checks availability against the row it then updates, and the table's
/// CHECK constraint refuses any state with `reserved > on_hand`; so concurrent reservations cannot over-commit.
enum InventoryStore {
    static func level(_ db: Database, sku: String, warehouseID: String) throws -> ProductV1.StockLevel? {
        try Row.fetchOne(db, sql: "SELECT * FROM stock_level WHERE sku = ? AND warehouse_id = ?",
                         arguments: [sku, warehouseID]).map(level(from:))
    }

    static func levels(_ db: Database, sku: String, warehouseID: String) throws -> [ProductV1.StockLevel] {
        if !warehouseID.isEmpty { return try level(db, sku: sku, warehouseID: warehouseID).map { [$0] } ?? [] }
        return try Row.fetchAll(db, sql: "SELECT * FROM stock_level WHERE sku = ? ORDER BY warehouse_id", arguments: [sku])
            .map(level(from:))
    }

    static func level(from row: Row) -> ProductV1.StockLevel {
        let onHand: Int32 = row["on_hand"], reserved: Int32 = row["reserved"]
        return ProductV1.StockLevel(sku: row["sku"], warehouseID: row["warehouse_id"], onHand: onHand, reserved: reserved,
                                    available: onHand - reserved, refurbishing: row["refurbishing"],
                                    scrapped: row["scrapped"], version: row["version"],
                                    updatedAt: CommonV1.Timestamp(epochMicros: row["updated_at"]))
    }

    /// Writes `level` (at its next version) and a ledger line for the movement.
    static func save(_ db: Database, _ level: inout ProductV1.StockLevel, movement: String, quantity: Int32,
                     reference: String, note: String, now: Date) throws {
        level.version += 1
        level.available = level.onHand - level.reserved
        level.updatedAt = CommonV1.Timestamp(now)
        try db.execute(sql: """
            INSERT INTO stock_level (sku, warehouse_id, on_hand, reserved, refurbishing, scrapped, version, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(sku, warehouse_id) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved,
                refurbishing = excluded.refurbishing, scrapped = excluded.scrapped, version = excluded.version,
                updated_at = excluded.updated_at
            """, arguments: [level.sku, level.warehouseID, level.onHand, level.reserved, level.refurbishing,
                             level.scrapped, level.version, now.epochMicros])
        try db.execute(sql: """
            INSERT INTO stock_movement (sku, warehouse_id, kind, quantity, reference, note, at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [level.sku, level.warehouseID, movement, quantity, reference, note, now.epochMicros])
    }

    /// Shifts on-hand stock; it may not fall below zero or below what is reserved.
    static func adjust(_ db: Database, sku: String, warehouseID: String, delta: Int32, reason: String,
                       expectedVersion: Int64, now: Date) throws -> ProductV1.StockLevel {
        var level = try level(db, sku: sku, warehouseID: warehouseID)
            ?? ProductV1.StockLevel(sku: sku, warehouseID: warehouseID)
        try RPCError.checkVersion("stock", "\(sku)@\(warehouseID)", expected: expectedVersion, current: level.version)
        let onHand = Int64(level.onHand) + Int64(delta)
        guard onHand >= Int64(level.reserved), onHand <= Int64(Int32.max) else {
            throw RPCError.failedPrecondition(
                "INSUFFICIENT_STOCK",
                "adjusting \(sku) in \(warehouseID) by \(delta) would leave \(onHand) on hand with \(level.reserved) reserved",
                resource: "stock/\(sku)@\(warehouseID)",
                metadata: ["on_hand": "\(level.onHand)", "reserved": "\(level.reserved)"])
        }
        level.onHand = Int32(onHand)
        try save(db, &level, movement: "ADJUST", quantity: delta, reference: "", note: reason, now: now)
        return level
    }

    /// Puts returned units through their disposition.
    static func receiveReturn(_ db: Database, sku: String, warehouseID: String, quantity: Int32,
                              disposition: OrderV1.Disposition, reference: String, expectedVersion: Int64,
                              now: Date) throws -> ProductV1.StockLevel {
        var level = try level(db, sku: sku, warehouseID: warehouseID)
            ?? ProductV1.StockLevel(sku: sku, warehouseID: warehouseID)
        try RPCError.checkVersion("stock", "\(sku)@\(warehouseID)", expected: expectedVersion, current: level.version)
        let movement: String
        switch disposition {
        case .restock: level.onHand = try add(level.onHand, quantity); movement = "RETURN_RESTOCK"
        case .refurbish: level.refurbishing = try add(level.refurbishing, quantity); movement = "RETURN_REFURBISH"
        case .scrap: level.scrapped = try add(level.scrapped, quantity); movement = "RETURN_SCRAP"
        default: throw RPCError.invalidArgument("disposition", "must be RESTOCK, REFURBISH or SCRAP")
        }
        try save(db, &level, movement: movement, quantity: quantity, reference: reference, note: "", now: now)
        return level
    }

    private static func add(_ value: Int32, _ quantity: Int32) throws -> Int32 {
        let (sum, overflow) = value.addingReportingOverflow(quantity)
        if overflow { throw RPCError.invalidArgument("quantity", "would overflow the stock counter") }
        return sum
    }

    // MARK: Reservations

    static func reservation(_ db: Database, id: String) throws -> ProductV1.Reservation? {
        try Row.fetchOne(db, sql: "SELECT * FROM reservation WHERE id = ?", arguments: [id]).map(reservation(from:))
    }

    static func reservation(from row: Row) -> ProductV1.Reservation {
        ProductV1.Reservation(id: row["id"], sku: row["sku"], warehouseID: row["warehouse_id"], quantity: row["quantity"],
                              reference: row["reference"],
                              status: ProductV1.ReservationStatus(rawValue: row["status"]),
                              expiresAt: CommonV1.Timestamp(epochMicros: row["expires_at"]), version: row["version"],
                              createdAt: CommonV1.Timestamp(epochMicros: row["created_at"]))
    }

    /// Holds `quantity` units in `warehouseID`, or (when empty) the warehouse with the most available units.
    static func reserve(_ db: Database, sku: String, warehouseID: String, quantity: Int32, reference: String,
                        expiresAt: Date, now: Date) throws -> ProductV1.Reservation {
        try expireOverdue(db, sku: sku, now: now)
        let candidates = try levels(db, sku: sku, warehouseID: warehouseID)
        let best = candidates.max { ($0.available, $1.warehouseID) < ($1.available, $0.warehouseID) }
        guard var level = best, level.available >= quantity else {
            let available = best?.available ?? 0
            let place = warehouseID.isEmpty ? "any warehouse" : warehouseID
            throw RPCError(.resourceExhausted,
                           "cannot reserve \(quantity) of \(sku): \(available) available in \(place)",
                           details: .init(reason: "OUT_OF_STOCK", resource: "stock/\(sku)",
                                          metadata: ["available": "\(available)", "requested": "\(quantity)"]))
        }
        level.reserved += quantity
        let id = Identifier.make("res", at: now)
        try save(db, &level, movement: "RESERVE", quantity: quantity, reference: id, note: reference, now: now)
        let reservation = ProductV1.Reservation(id: id, sku: sku, warehouseID: level.warehouseID, quantity: quantity,
                                                reference: reference, status: .active,
                                                expiresAt: CommonV1.Timestamp(expiresAt), version: 1,
                                                createdAt: CommonV1.Timestamp(now))
        try db.execute(sql: """
            INSERT INTO reservation (id, sku, warehouse_id, quantity, reference, status, expires_at, version, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, sku, level.warehouseID, quantity, reference, ProductV1.ReservationStatus.active.rawValue,
                             expiresAt.epochMicros, 1, now.epochMicros])
        return reservation
    }

    /// How a reservation ends.
    enum Ending: Sendable {
        case release(reason: String), commit, expire

        var status: ProductV1.ReservationStatus {
            switch self {
            case .release: .released
            case .commit: .committed
            case .expire: .expired
            }
        }
    }

    /// Ends an active reservation. Ending it the same way again returns it unchanged (idempotent per
    /// reservation); releasing a committed one or committing a released/expired one is FAILED_PRECONDITION.
    static func end(_ db: Database, id: String, _ ending: Ending, expectedVersion: Int64,
                    now: Date) throws -> ProductV1.Reservation {
        guard var reservation = try reservation(db, id: id) else { throw RPCError.notFound("reservation", id) }
        try RPCError.checkVersion("reservation", id, expected: expectedVersion, current: reservation.version)
        if case .commit = ending, reservation.status == .active,
           let expiry = reservation.expiresAt?.date, expiry <= now {
            try finish(db, &reservation, .expire, now: now)
        }
        switch (reservation.status, ending) {
        case (.active, _):
            try finish(db, &reservation, ending, now: now)
        case (.released, .release), (.committed, .commit), (.expired, .release), (.expired, .expire):
            break
        default:
            let verb = if case .commit = ending { "commit" } else { "release" }
            throw RPCError.failedPrecondition(
                "RESERVATION_\(reservation.status.protoName?.replacingOccurrences(of: "RESERVATION_STATUS_", with: "") ?? "CLOSED")",
                "reservation \(id) is \(reservation.status.protoName ?? "closed"); cannot \(verb) it",
                resource: "reservation/\(id)")
        }
        return reservation
    }

    private static func finish(_ db: Database, _ reservation: inout ProductV1.Reservation, _ ending: Ending,
                               now: Date) throws {
        guard var level = try level(db, sku: reservation.sku, warehouseID: reservation.warehouseID) else {
            throw RPCError(.internal, "stock level of reservation \(reservation.id) is missing")
        }
        level.reserved -= reservation.quantity
        var movement = "RELEASE", note = ""
        switch ending {
        case .commit:
            level.onHand -= reservation.quantity
            movement = "COMMIT"
        case .release(let reason): note = reason
        case .expire: movement = "EXPIRE"
        }
        try save(db, &level, movement: movement, quantity: reservation.quantity, reference: reservation.id, note: note, now: now)
        reservation.status = ending.status
        reservation.version += 1
        try db.execute(sql: "UPDATE reservation SET status = ?, version = ? WHERE id = ?",
                       arguments: [reservation.status.rawValue, reservation.version, reservation.id])
    }

    /// Expires active reservations past their `expires_at` (of one SKU, or all); returns how many.
    @discardableResult
    static func expireOverdue(_ db: Database, sku: String? = nil, now: Date) throws -> Int {
        var sql = "SELECT id FROM reservation WHERE status = ? AND expires_at <= ?"
        var arguments: StatementArguments = [ProductV1.ReservationStatus.active.rawValue, now.epochMicros]
        if let sku {
            sql += " AND sku = ?"
            arguments += [sku]
        }
        let ids = try String.fetchAll(db, sql: sql + " LIMIT 500", arguments: arguments)
        for id in ids { _ = try end(db, id: id, .expire, expectedVersion: 0, now: now) }
        return ids.count
    }
}
