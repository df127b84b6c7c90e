import AfterSaleTestSupport
import Foundation
import LogisticsService
import RPCShared
import ServiceRuntime
import Testing

/// OrderService notifications: queued with the tracking event, kept while OrderService is down (across a
/// restart), delivered once it is back, each with its contract idempotency key.
@Suite(.serialized) struct PeerCallSenderTests {
    /// Serves `peer` on `socket` (a fixed path, so the peer can come back where the sender looks for it).
    static func serve(_ peer: RecordingOrderService, on socket: String) async throws -> RPCServer {
        var configuration = ServerConfiguration(endpoint: .unix(path: socket))
        configuration.gracePeriod = .seconds(1)
        let server = RPCServer(configuration: configuration, services: [peer.serviceDefinition])
        _ = try await server.start()
        return server
    }

    static func orderClient(_ socket: String) -> OrderV1.OrderService.Client {
        var configuration = ClientConfiguration()
        configuration.backoff.initial = .milliseconds(10)
        return OrderV1.OrderService.Client(transport: RPCClient(endpoints: [.unix(path: socket)], configuration: configuration))
    }

    @Test func notificationsWaitForTheOrderServiceAndSurviveARestart() async throws {
        let fixture = try await LogisticsFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let reverse = try await client.createShipment(Fixtures.reverse(), options: .mutating())
        let outbound = try await client.createShipment(Fixtures.outbound(), options: .mutating())
        _ = try await client.advanceSimulation(.init(shipmentID: reverse.id, untilStatus: .pickedUp), options: .mutating())
        _ = try await client.advanceSimulation(.init(shipmentID: outbound.id, untilStatus: .delivered), options: .mutating())

        // OrderService is down: both calls fail, are counted and stay pending.
        let socket = temporarySocketPath()
        defer { try? FileManager.default.removeItem(atPath: socket) }
        let down = PeerCallSender(database: fixture.database, order: Self.orderClient(socket),
                                  initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(5))
        #expect(try await down.sendDue() == 0)
        let waiting = try await fixture.peerCalls()
        #expect(waiting.map(\.state) == [.pending, .pending])
        #expect(waiting.allSatisfy { $0.attempts == 1 && $0.lastError.contains("UNAVAILABLE") })

        // LogisticsService restarts (a new database handle on the same file), then OrderService comes back.
        let reopened = try LogisticsServiceApp.openDatabase(path: fixture.path)
        let peer = RecordingOrderService()
        peer.link(shipment: outbound.id, fulfilment: "ful_7")
        let server = try await Self.serve(peer, on: socket)
        defer { Task { await server.shutdown(gracePeriod: .seconds(1)) } }
        let sender = PeerCallSender(database: reopened, order: Self.orderClient(socket),
                                    initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(5))
        var accepted = 0
        for _ in 0..<50 where accepted < 2 {
            try await Task.sleep(for: .milliseconds(20))
            accepted += try await sender.sendDue()
        }
        #expect(accepted == 2)
        #expect(peer.shipped.map(\.key) == ["shipped:\(reverse.id)"])
        #expect(peer.shipped.first?.request.caseID == "case_1")
        #expect(peer.shipped.first?.request.shipmentID == reverse.id)
        #expect(peer.delivered.map(\.key) == ["delivered:\(outbound.id)"])
        #expect(peer.delivered.first?.request.fulfilmentID == "ful_7")
        #expect(peer.delivered.first?.request.orderID == "ord_1")
        #expect(try await fixture.peerCalls().map(\.state) == [.done, .done])
        // Done is done: another pass sends nothing.
        #expect(try await sender.sendDue() == 0)
        #expect(peer.shipped.count == 1)
    }

    @Test func refusalsAreKeptNotRetried() async throws {
        let fixture = try await LogisticsFixture.start()
        defer { Task { await fixture.stop() } }
        let outbound = try await fixture.client.createShipment(Fixtures.outbound(), options: .mutating())
        _ = try await fixture.client.advanceSimulation(.init(shipmentID: outbound.id, untilStatus: .delivered), options: .mutating())
        let peer = RecordingOrderService()                     // no fulfilment carries this shipment
        let served = try await ServedServices.start([peer.serviceDefinition])
        defer { Task { await served.stop() } }
        let sender = PeerCallSender(database: fixture.database, order: .init(transport: served.client))
        #expect(try await sender.sendDue() == 0)
        let calls = try await fixture.peerCalls()
        #expect(calls.map(\.state) == [.failed])
        #expect(calls.first?.lastError.contains("has no fulfilment with shipment \(outbound.id)") == true)
        #expect(peer.delivered.isEmpty)
    }
}
