import AfterSaleTestSupport
import Foundation
import GRDB
import Logging
import LogisticsService
import RPCShared
import ServiceRuntime
import Testing

/// LogisticsService over a real socket and a real SQLite file: happy paths, replays, versions, pagination.
@Suite(.serialized) struct LogisticsHandlerTests {
    @Test func listCarriersFiltersAndPages() async throws {
        let fixture = try await LogisticsFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let active = try await client.listCarriers(.init())
        #expect(active.carriers.map(\.id) == ["cainiao", "dhl", "sf", "simulator", "ups", "usps"])
        let all = try await client.listCarriers(.init(includeInactive: true))
        #expect(all.carriers.map(\.id).contains("yto"))
        let us = try await client.listCarriers(.init(region: "US"))
        #expect(us.carriers.map(\.id) == ["dhl", "simulator", "ups", "usps"])     // DHL Express and the simulator serve "*"
        let labels = try await client.listCarriers(.init(method: .prepaidLabel))
        #expect(labels.carriers.map(\.id) == ["simulator", "ups", "usps"])

        var pages: [[String]] = []
        var token = ""
        repeat {
            let page = try await client.listCarriers(.init(page: .init(pageSize: 4, pageToken: token), includeInactive: true))
            pages.append(page.carriers.map(\.id))
            token = page.page?.nextPageToken ?? ""
        } while !token.isEmpty
        #expect(pages == [["cainiao", "dhl", "sf", "simulator"], ["ups", "usps", "yto"]])
        let first = try await client.listCarriers(.init(page: .init(pageSize: 1)))
        let misuse = await rpcError { try await client.listCarriers(.init(page: .init(pageSize: 1, pageToken: first.page?.nextPageToken ?? ""), region: "CN")) }
        #expect(misuse?.code == .invalidArgument && misuse?.message.contains("page.page_token") == true)
    }

    @Test func recommendOverTheWire() async throws {
        let fixture = try await LogisticsFixture.start()
        defer { Task { await fixture.stop() } }
        let response = try await fixture.client.recommendMethod(.init(originRegion: "CN-GD", destinationRegion: "CN",
                                                                      weightGrams: 1_200, currency: "CNY", preference: .cheapest))
        #expect(response.chosen?.serviceCode == "cainiao-station")
        #expect(response.explanation.hasPrefix("CHEAPEST over 7 qualifying options"))
    }

    @Test func createShipmentBooksAndReplays() async throws {
        let fixture = try await LogisticsFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let options = CallOptions.mutating()
        let shipment = try await client.createShipment(Fixtures.reverse(), options: options)
        #expect(shipment.status == .labelCreated && shipment.version == 1)
        #expect(shipment.trackingNumber == "SIM0000000001")
        #expect(shipment.cost == .init(currency: "CNY", minorUnits: 1_700))   // 15.00 + 1 started kg × 2.00
        #expect(shipment.method == .pickup && shipment.carrierID == "simulator")
        let transit = (shipment.estimatedDeliveryAt?.epochMicros ?? 0) - (shipment.createdAt?.epochMicros ?? 0)
        #expect(abs(transit - 2 * 86_400 * 1_000_000) <= 1)        // sim-pickup: 2 days at most

        // Same key, same body: the stored response, no second shipment or event.
        let replay = try await client.createShipment(Fixtures.reverse(), options: options)
        #expect(replay == shipment)
        #expect(try await client.listShipments(.init()).shipments.count == 1)
        #expect(try await fixture.outboxCount() == 1)
        // Same key, other body: refused.
        let reused = await rpcError { try await client.createShipment(Fixtures.reverse(weight: 999), options: options) }
        #expect(reused?.code == .failedPrecondition && reused?.errorDetails?.reason == "IDEMPOTENCY_KEY_REUSED")

        // No carrier named: the BALANCED recommendation in the origin country's currency.
        var chosen = Fixtures.reverse(carrier: "", service: "")
        chosen.caseID = "case_2"
        let recommended = try await client.createShipment(chosen, options: .mutating())
        #expect(recommended.serviceCode == "sf-pickup-std")
        #expect(recommended.trackingNumber == "SF0000000001")          // booked locally: no SF API connected
        #expect(recommended.labelURL == "aftersale://labels/\(recommended.id)")
        // A carrier but no level: its best level.
        var cainiao = Fixtures.reverse(carrier: "cainiao", service: "")
        cainiao.method = .dropOff
        #expect(try await client.createShipment(cainiao, options: .mutating()).serviceCode == "cainiao-station")
    }

    @Test func listShipmentsNewestFirstWithFiltersAndPages() async throws {
        let fixture = try await LogisticsFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        var ids: [String] = []
        for index in 0..<5 {
            let request = index < 3 ? Fixtures.reverse(caseID: "case_\(index)") : Fixtures.outbound(order: "ord_\(index)")
            ids.append(try await client.createShipment(request, options: .mutating()).id)
        }
        _ = try await client.recordTrackingEvent(.init(shipmentID: ids[0], event: Fixtures.event("e1", .pickedUp, at: 1)),
                                                 options: .mutating())
        var seen: [String] = []
        var token = ""
        repeat {
            let page = try await client.listShipments(.init(page: .init(pageSize: 2, pageToken: token)))
            seen += page.shipments.map(\.id)
            token = page.page?.nextPageToken ?? ""
        } while !token.isEmpty
        #expect(seen == ids.reversed())
        #expect(try await client.listShipments(.init(kind: .outbound)).shipments.map(\.id) == [ids[4], ids[3]])
        #expect(try await client.listShipments(.init(caseID: "case_1")).shipments.map(\.id) == [ids[1]])
        #expect(try await client.listShipments(.init(orderID: "ord_3")).shipments.map(\.id) == [ids[3]])
        #expect(try await client.listShipments(.init(statuses: [.pickedUp, .delivered])).shipments.map(\.id) == [ids[0]])
    }

    @Test func trackingEventsDeduplicateOrderAndStick() async throws {
        let fixture = try await LogisticsFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let shipment = try await client.createShipment(Fixtures.outbound(), options: .mutating())
        let record = { (event: LogisticsV1.TrackingEvent, version: Int64) in
            try await client.recordTrackingEvent(.init(shipmentID: shipment.id, expectedVersion: version, event: event),
                                                 options: .mutating())
        }
        let picked = try await record(Fixtures.event("dhl-1", .pickedUp, at: 100), 1)
        #expect(picked.status == .pickedUp && picked.version == 2 && picked.events.first?.recordedAt != nil)
        // The carrier retries its webhook (new call, same carrier event id): no change, even with a stale version.
        let duplicate = try await record(Fixtures.event("dhl-1", .pickedUp, at: 100), 1)
        #expect(duplicate == picked)
        // A stale expected_version for a new event: ABORTED with the current version.
        let stale = await rpcError { try await record(Fixtures.event("dhl-2", .inTransit, at: 200), 1) }
        #expect(stale?.code == .aborted && stale?.errorDetails?.metadata["current_version"] == "2")

        _ = try await record(Fixtures.event("dhl-3", .outForDelivery, at: 300), 0)
        let late = try await record(Fixtures.event("dhl-2", .inTransit, at: 200), 0)   // out of order
        #expect(late.status == .outForDelivery)
        #expect(late.events.map(\.carrierEventID) == ["dhl-1", "dhl-2", "dhl-3"])
        let delivered = try await record(Fixtures.event("dhl-4", .delivered, at: 400), 0)
        #expect(delivered.status == .delivered && delivered.deliveredAt == .init(epochSeconds: 400))
        let after = try await record(Fixtures.event("dhl-5", .exception, at: 500), 0)
        #expect(after.status == .delivered && after.events.count == 5)
        // created, picked up, out for delivery, delivered: one outbox event per status change, none for the rest.
        #expect(try await fixture.outboxCount() == 4)
        // Delivered OUTBOUND shipment of an order: MarkDelivered is queued, once.
        let calls = try await fixture.peerCalls()
        #expect(calls.map(\.key) == ["delivered:\(shipment.id)"])
        #expect(calls.first?.method == .markDelivered && calls.first?.state == .pending)
    }

    @Test func reversePickupQueuesMarkShippedOnceInTheSameTransaction() async throws {
        let fixture = try await LogisticsFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let shipment = try await client.createShipment(Fixtures.reverse(), options: .mutating())
        #expect(try await fixture.peerCalls().isEmpty)
        _ = try await client.recordTrackingEvent(.init(shipmentID: shipment.id, event: Fixtures.event("a", .exception, at: 50)),
                                                 options: .mutating())
        #expect(try await fixture.peerCalls().isEmpty)        // a failed pickup attempt is not a pickup
        _ = try await client.recordTrackingEvent(.init(shipmentID: shipment.id, event: Fixtures.event("b", .inTransit, at: 100)),
                                                 options: .mutating())
        _ = try await client.recordTrackingEvent(.init(shipmentID: shipment.id, event: Fixtures.event("c", .delivered, at: 200)),
                                                 options: .mutating())
        let calls = try await fixture.peerCalls()
        #expect(calls.map(\.key) == ["shipped:\(shipment.id)"])
        let request = try calls[0].request.withUnsafeBytes { try OrderV1.MarkShippedRequest(serializedBytes: $0) }
        #expect(request.caseID == "case_1" && request.shipmentID == shipment.id)
        #expect(request.shippedAt == .init(epochSeconds: 100))
        #expect(request.actor?.kind == .service)
    }

    @Test func cancelOnlyBeforePickup() async throws {
        let fixture = try await LogisticsFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let first = try await client.createShipment(Fixtures.reverse(caseID: "c1"), options: .mutating())
        let conflict = await rpcError { try await client.cancelShipment(.init(shipmentID: first.id, expectedVersion: 7), options: .mutating()) }
        #expect(conflict?.code == .aborted)
        let canceled = try await client.cancelShipment(.init(shipmentID: first.id, expectedVersion: 1, reason: "customer changed mind"),
                                                       options: .mutating())
        #expect(canceled.status == .canceled && canceled.version == 2)
        #expect(try await fixture.database.read { db in try ShipmentStore.cancelReason(db, first.id) } == "customer changed mind")
        // Again (new key): nothing to do, same shipment.
        #expect(try await client.cancelShipment(.init(shipmentID: first.id), options: .mutating()) == canceled)
        // A scan after cancellation is history; CANCELED sticks and no MarkShipped is owed.
        let scanned = try await client.recordTrackingEvent(.init(shipmentID: first.id, event: Fixtures.event("x", .pickedUp, at: 9)),
                                                           options: .mutating())
        #expect(scanned.status == .canceled)
        #expect(try await fixture.peerCalls().isEmpty)

        let second = try await client.createShipment(Fixtures.reverse(caseID: "c2"), options: .mutating())
        _ = try await client.recordTrackingEvent(.init(shipmentID: second.id, event: Fixtures.event("p", .pickedUp, at: 1)),
                                                 options: .mutating())
        let before = try await fixture.snapshot()
        let late = await rpcError { try await client.cancelShipment(.init(shipmentID: second.id), options: .mutating()) }
        #expect(late?.code == .failedPrecondition && late?.errorDetails?.reason == "SHIPMENT_ALREADY_PICKED_UP")
        #expect(try await fixture.snapshot() == before)
    }

    @Test func simulatorMovesShipmentsThroughTheTrackingPath() async throws {
        let fixture = try await LogisticsFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let config = try await client.configureSimulator(.init(config: .init(tickMillis: 0, exceptionRateBp: 0, seed: 42)),
                                                         options: .mutating())
        #expect(config.seed == 42)
        let reverse = try await client.createShipment(Fixtures.reverse(), options: .mutating())
        let outbound = try await client.createShipment(Fixtures.outbound(), options: .mutating())
        let start = CommonV1.Timestamp(epochSeconds: 1_700_000_000)

        let one = try await client.advanceSimulation(.init(shipmentID: reverse.id, steps: 2, now: start), options: .mutating())
        #expect(one.eventsEmitted == 2)
        #expect(one.shipments.map(\.status) == [.inTransit])
        #expect(one.shipments.first?.events.map(\.occurredAt) == [start, .init(epochSeconds: start.seconds + 1)])
        #expect(try await fixture.peerCalls().map(\.key) == ["shipped:\(reverse.id)"])

        // Every open simulated shipment, until delivered.
        let all = try await client.advanceSimulation(.init(untilStatus: .delivered), options: .mutating())
        #expect(Set(all.shipments.map(\.id)) == [reverse.id, outbound.id])
        #expect(all.shipments.allSatisfy { $0.status == .delivered })
        #expect(all.eventsEmitted == 2 + 4)
        // Nothing open any more.
        #expect(try await client.advanceSimulation(.init(), options: .mutating()).shipments.isEmpty)
        #expect(try await fixture.peerCalls().map(\.key) == ["shipped:\(reverse.id)", "delivered:\(outbound.id)"])

        // Forced outcomes.
        let third = try await client.createShipment(Fixtures.reverse(caseID: "c3"), options: .mutating())
        let failed = try await client.advanceSimulation(.init(shipmentID: third.id, untilStatus: .exception), options: .mutating())
        #expect(failed.shipments.first?.status == .exception && failed.eventsEmitted == 1)
        let returned = try await client.advanceSimulation(.init(shipmentID: third.id, untilStatus: .returnedToSender),
                                                          options: .mutating())
        #expect(returned.shipments.first?.events.map(\.status) == [.exception, .pickedUp, .returnedToSender])
        #expect(returned.shipments.first?.status == .returnedToSender)

        // Only the simulator's shipments can be simulated.
        let sf = try await client.createShipment(Fixtures.reverse(carrier: "sf", service: "sf-pickup-std"), options: .mutating())
        let refused = await rpcError { try await client.advanceSimulation(.init(shipmentID: sf.id), options: .mutating()) }
        #expect(refused?.code == .failedPrecondition && refused?.errorDetails?.reason == "NOT_SIMULATED")
    }

    @Test func sameSeedReproducesARunOverTheWire() async throws {
        func run(seed: Int64) async throws -> [String] {
            let fixture = try await LogisticsFixture.start()
            defer { Task { await fixture.stop() } }
            let client = fixture.client
            _ = try await client.configureSimulator(.init(config: .init(exceptionRateBp: 4_000, seed: seed)), options: .mutating())
            for index in 0..<8 { _ = try await client.createShipment(Fixtures.reverse(caseID: "c\(index)"), options: .mutating()) }
            let moved = try await client.advanceSimulation(.init(untilStatus: .delivered, now: .init(epochSeconds: 1_000)),
                                                           options: .mutating())
            return moved.shipments.sorted { $0.trackingNumber < $1.trackingNumber }.flatMap { shipment in
                shipment.events.map { "\(shipment.trackingNumber) \($0.carrierEventID) \($0.status.protoName ?? "") \($0.occurredAt?.seconds ?? 0)" }
            }
        }
        let first = try await run(seed: 99)
        #expect(first.count > 32)                              // 8 × 4 steps plus some exceptions
        #expect(try await run(seed: 99) == first)
        #expect(try await run(seed: 100) != first)
    }

    @Test func automaticTickingMovesOpenShipments() async throws {
        let fixture = try await LogisticsFixture.start()
        defer { Task { await fixture.stop() } }
        let shipment = try await fixture.client.createShipment(Fixtures.reverse(), options: .mutating())
        _ = try await fixture.client.configureSimulator(.init(config: .init(tickMillis: 50)), options: .mutating())
        let ticker = SimulatorTicker(database: fixture.database, relay: nil, logger: .init(label: "test"))
        let task = Task { try await ticker.run() }
        defer { task.cancel() }
        var status = LogisticsV1.ShipmentStatus.labelCreated
        for _ in 0..<100 where status != .delivered {
            try await Task.sleep(for: .milliseconds(50))
            status = try await fixture.client.getShipment(.init(shipmentID: shipment.id)).status
        }
        #expect(status == .delivered)
    }

    @Test func storageSurvivesARestart() async throws {
        let directory = try TemporaryDirectory("logistics-restart")
        defer { directory.remove() }
        let path = directory.file("logistics.sqlite")
        var shipment: LogisticsV1.Shipment
        do {
            let database = try LogisticsServiceApp.openDatabase(path: path)
            let handler = LogisticsServiceApp.build(database: database)
            let served = try await ServedServices.start([handler.serviceDefinition])
            let client = LogisticsV1.LogisticsService.Client(transport: served.client)
            _ = try await client.configureSimulator(.init(config: .init(exceptionRateBp: 250, seed: 5)), options: .mutating())
            shipment = try await client.createShipment(Fixtures.reverse(), options: .mutating(key: "create-1"))
            shipment = try #require(try await client.advanceSimulation(.init(shipmentID: shipment.id, untilStatus: .inTransit),
                                                                       options: .mutating()).shipments.first)
            await served.stop()
        }
        let database = try LogisticsServiceApp.openDatabase(path: path)
        let served = try await ServedServices.start([LogisticsServiceApp.build(database: database).serviceDefinition])
        defer { Task { await served.stop() } }
        let client = LogisticsV1.LogisticsService.Client(transport: served.client)
        #expect(try await client.getShipment(.init(shipmentID: shipment.id)) == shipment)
        // The idempotency record, the simulator configuration, the queued call and the booking sequence survived.
        #expect(try await client.createShipment(Fixtures.reverse(), options: .mutating(key: "create-1")).id == shipment.id)
        #expect(try await client.configureSimulator(.init(config: .init(exceptionRateBp: 250, seed: 5)), options: .mutating()).seed == 5)
        #expect(try await database.read { db in try ShipmentStore.simulatorConfig(db) } == .init(exceptionRateBp: 250, seed: 5))
        #expect(try await database.read { db in try PeerCallStore.all(db) }.map(\.key) == ["shipped:\(shipment.id)"])
        #expect(try await client.createShipment(Fixtures.reverse(caseID: "c2"), options: .mutating()).trackingNumber == "SIM0000000002")
    }
}
