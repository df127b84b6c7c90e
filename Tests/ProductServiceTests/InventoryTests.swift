import AfterSaleTestSupport
import Foundation
import GRDB
import ProductService
import RPCShared
import ServiceRuntime
import Testing

/// Stock and reservations: availability, concurrency, idempotent endings, dispositions, restart.
@Suite struct InventoryTests {
    @Test func reserveReleaseCommitMoveTheRightCounters() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        try await fixture.basicCatalogue()
        let client = fixture.client
        _ = try await client.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_a", delta: 5, reason: "count"), options: .mutating())
        _ = try await client.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_b", delta: 8), options: .mutating())

        // No warehouse named: the one with most available.
        let held = try await client.reserveStock(.init(sku: "RUN-42", quantity: 3, reference: "case_1"), options: .mutating())
        #expect(held.warehouseID == "wh_b" && held.status == .active && held.version == 1)
        #expect(held.expiresAt?.date == ProductFixture.now.addingTimeInterval(7 * 86_400))
        var stock = try await client.getStock(.init(sku: "RUN-42", warehouseID: "wh_b"))
        #expect(stock.levels[0].onHand == 8 && stock.levels[0].reserved == 3 && stock.levels[0].available == 5)

        let released = try await client.releaseReservation(.init(reservationID: held.id, expectedVersion: 1, reason: "customer cancelled"),
                                                           options: .mutating())
        #expect(released.status == .released && released.version == 2)
        // Releasing again (new key) is a no-op that returns the same reservation; committing it is refused.
        #expect(try await client.releaseReservation(.init(reservationID: held.id), options: .mutating()) == released)
        await expectRPCError(.failedPrecondition, reason: "RESERVATION_RELEASED") {
            _ = try await client.commitReservation(.init(reservationID: held.id), options: .mutating())
        }
        stock = try await client.getStock(.init(sku: "RUN-42", warehouseID: "wh_b"))
        #expect(stock.levels[0].reserved == 0 && stock.levels[0].onHand == 8)

        let second = try await client.reserveStock(.init(sku: "RUN-42", warehouseID: "wh_a", quantity: 2), options: .mutating())
        let committed = try await client.commitReservation(.init(reservationID: second.id, expectedVersion: 1), options: .mutating())
        #expect(committed.status == .committed)
        #expect(try await client.commitReservation(.init(reservationID: second.id), options: .mutating()) == committed)
        await expectRPCError(.failedPrecondition, reason: "RESERVATION_COMMITTED") {
            _ = try await client.releaseReservation(.init(reservationID: second.id), options: .mutating())
        }
        await expectRPCError(.aborted, reason: "VERSION_CONFLICT") {
            _ = try await client.commitReservation(.init(reservationID: second.id, expectedVersion: 1), options: .mutating())
        }
        stock = try await client.getStock(.init(sku: "RUN-42"))
        #expect(stock.levels.map(\.onHand) == [3, 8] && stock.levels.map(\.reserved) == [0, 0] && stock.totalAvailable == 11)
    }

    @Test func notEnoughStockIsResourceExhaustedAndChangesNothing() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        try await fixture.basicCatalogue()
        let level = try await fixture.client.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_a", delta: 2), options: .mutating())
        await expectRPCError(.resourceExhausted, reason: "OUT_OF_STOCK") {
            _ = try await fixture.client.reserveStock(.init(sku: "RUN-42", quantity: 3), options: .mutating())
        }
        await expectRPCError(.resourceExhausted, reason: "OUT_OF_STOCK") {
            _ = try await fixture.client.reserveStock(.init(sku: "RUN-43", quantity: 1), options: .mutating())
        }
        // On hand may not drop below what is reserved.
        _ = try await fixture.client.reserveStock(.init(sku: "RUN-42", quantity: 2), options: .mutating())
        await expectRPCError(.failedPrecondition, reason: "INSUFFICIENT_STOCK") {
            _ = try await fixture.client.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_a", delta: -1), options: .mutating())
        }
        let after = try await fixture.client.getStock(.init(sku: "RUN-42", warehouseID: "wh_a")).levels[0]
        #expect(after.onHand == 2 && after.reserved == 2 && after.version == level.version + 1)
    }

    /// 40 concurrent requests for one unit each against 15 in stock: exactly 15 win, the rest are
    /// RESOURCE_EXHAUSTED, and the stored counters agree with the reservations.
    @Test func concurrentReservationsNeverOverCommit() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        try await fixture.basicCatalogue()
        _ = try await fixture.client.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_a", delta: 10), options: .mutating())
        _ = try await fixture.client.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_b", delta: 5), options: .mutating())
        let client = fixture.client
        let outcomes = await withTaskGroup(of: Result<ProductV1.Reservation, RPCError>.self) { group in
            for index in 0..<40 {
                group.addTask {
                    do {
                        return .success(try await client.reserveStock(.init(sku: "RUN-42", quantity: 1, reference: "c\(index)"),
                                                                      options: .mutating()))
                    } catch let error as RPCError {
                        return .failure(error)
                    } catch {
                        return .failure(RPCError(.unknown, "\(error)"))
                    }
                }
            }
            var all: [Result<ProductV1.Reservation, RPCError>] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let won = outcomes.compactMap { try? $0.get() }
        let lost = outcomes.compactMap { if case .failure(let error) = $0 { error } else { nil } }
        #expect(won.count == 15)
        #expect(lost.count == 25 && lost.allSatisfy { $0.code == .resourceExhausted })
        #expect(Set(won.map(\.id)).count == 15)
        let stock = try await client.getStock(.init(sku: "RUN-42"))
        #expect(stock.totalAvailable == 0 && stock.levels.map(\.reserved) == [10, 5])
        let reservedRows = try await fixture.database.read { db in
            try Int.fetchOne(db, sql: "SELECT SUM(quantity) FROM reservation WHERE status = 1") ?? 0
        }
        #expect(reservedRows == 15)
    }

    @Test func expiredReservationsGiveTheirStockBack() async throws {
        let directory = try TemporaryDirectory("product-expiry")
        defer { directory.remove() }
        let early = try await ProductFixture.start(directory: directory)
        try await early.basicCatalogue()
        _ = try await early.client.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_a", delta: 1), options: .mutating())
        let held = try await early.client.reserveStock(
            .init(sku: "RUN-42", quantity: 1, expiresAt: .init(ProductFixture.now.addingTimeInterval(3600))), options: .mutating())
        await expectRPCError(.resourceExhausted) {
            _ = try await early.client.reserveStock(.init(sku: "RUN-42", quantity: 1), options: .mutating())
        }
        await early.stop()

        // Two hours later: the next reservation of the SKU expires the old one first.
        let later = try await ProductFixture.start(clock: .fixed(ProductFixture.now.addingTimeInterval(7200)), directory: directory)
        defer { Task { await later.stop() } }
        let next = try await later.client.reserveStock(.init(sku: "RUN-42", quantity: 1), options: .mutating())
        #expect(next.status == .active)
        await expectRPCError(.failedPrecondition, reason: "RESERVATION_EXPIRED") {
            _ = try await later.client.commitReservation(.init(reservationID: held.id), options: .mutating())
        }
        let expired = try await later.client.releaseReservation(.init(reservationID: held.id), options: .mutating())
        #expect(expired.status == .expired && expired.version == 2)
        let level = try await later.client.getStock(.init(sku: "RUN-42")).levels[0]
        #expect(level.onHand == 1 && level.reserved == 1)
        await expectRPCError(.invalidArgument, field: "expires_at") {
            _ = try await later.client.reserveStock(.init(sku: "RUN-42", quantity: 1, expiresAt: .init(ProductFixture.now)),
                                                    options: .mutating())
        }
    }

    @Test(arguments: [
        (OrderV1.Disposition.restock, (3, 0, 0)),
        (.refurbish, (0, 3, 0)),
        (.scrap, (0, 0, 3)),
    ])
    func receiveReturnByDisposition(_ disposition: OrderV1.Disposition, _ expected: (Int32, Int32, Int32)) async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        try await fixture.basicCatalogue()
        let key = CallOptions.mutating(key: "return:cl_1:\(disposition.rawValue)")
        let request = ProductV1.ReceiveReturnRequest(sku: "RUN-43", warehouseID: "wh_r", quantity: 3, disposition: disposition,
                                                     reference: "cl_1")
        let level = try await fixture.client.receiveReturn(request, options: key)
        #expect((level.onHand, level.refurbishing, level.scrapped) == expected)
        #expect(level.available == expected.0 && level.version == 1)
        // The gateway's retry with the same derived key changes nothing.
        #expect(try await fixture.client.receiveReturn(request, options: key) == level)
        var stale = request
        stale.expectedVersion = 5
        await expectRPCError(.aborted, reason: "VERSION_CONFLICT") {
            _ = try await fixture.client.receiveReturn(stale, options: .mutating())
        }
    }

    /// Everything acknowledged survives closing and reopening the database file.
    @Test func stockAndReservationsSurviveARestart() async throws {
        let directory = try TemporaryDirectory("product-restart")
        defer { directory.remove() }
        let first = try await ProductFixture.start(directory: directory)
        try await first.basicCatalogue()
        _ = try await first.client.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_a", delta: 9), options: .mutating())
        let held = try await first.client.reserveStock(.init(sku: "RUN-42", quantity: 4), options: .mutating())
        let key = CallOptions.mutating(key: "sale:ol_1")
        let stats = try await first.client.recordSale(.init(productID: "prod_shoe", quantity: 2, orderLineID: "ol_1"), options: key)
        await first.stop()

        let second = try await ProductFixture.start(directory: directory)
        defer { Task { await second.stop() } }
        let level = try await second.client.getStock(.init(sku: "RUN-42")).levels[0]
        #expect(level.onHand == 9 && level.reserved == 4 && level.version == 2)
        #expect(try await second.client.getProduct(.init(productID: "prod_shoe")).variants.count == 2)
        // The idempotency record survived too: the replay returns the stored figures, nothing is counted twice.
        #expect(try await second.client.recordSale(.init(productID: "prod_shoe", quantity: 2, orderLineID: "ol_1"), options: key) == stats)
        #expect(try await second.client.getProductStats(.init(productID: "prod_shoe")).unitsSold == 2)
        let committed = try await second.client.commitReservation(.init(reservationID: held.id, expectedVersion: 1), options: .mutating())
        #expect(committed.status == .committed)
    }

    @Test func theStockTableRefusesOverCommitEvenFromRawSQL() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        try await fixture.basicCatalogue()
        _ = try await fixture.client.adjustStock(.init(sku: "RUN-42", warehouseID: "wh_a", delta: 1), options: .mutating())
        await #expect(throws: DatabaseError.self) {
            try await fixture.database.pool.write { db in
                try db.execute(sql: "UPDATE stock_level SET reserved = 2 WHERE sku = 'RUN-42'")
            }
        }
    }
}
