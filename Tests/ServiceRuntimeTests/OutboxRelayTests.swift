import AfterSaleTestSupport
import Foundation
import Logging
import RPCShared
import ServiceRuntime
import Synchronization
import Testing

/// The relay against a reporting peer on a real socket. The peer here only records what it receives (it plays
/// ReportingService's part of the contract: acknowledge, count duplicates, reject malformed); the real service's
/// own end-to-end outbox test lives with ReportingService.
@Suite struct OutboxRelayTests {
    final class RecordingReporting: ReportingV1.ReportingService.Handler {
        let received = Mutex<[String]>([])

        func ingestEvents(_ request: ReportingV1.IngestEventsRequest, context: ServerContext) async throws -> ReportingV1.IngestEventsResponse {
            var response = ReportingV1.IngestEventsResponse()
            for event in request.events {
                if event.aggregateID.isEmpty {
                    response.rejected.append(.init(eventID: event.eventID, reason: "aggregate_id is required"))
                    continue
                }
                let isNew = received.withLock { ids in
                    if ids.contains(event.eventID) { return false }
                    ids.append(event.eventID)
                    return true
                }
                if isNew { response.accepted += 1 } else { response.duplicates += 1 }
            }
            return response
        }

        func getReport(_ request: ReportingV1.GetReportRequest, context: ServerContext) async throws -> ReportingV1.Report {
            throw RPCError(.unimplemented, "not part of this test")
        }

        func getDashboard(_ request: ReportingV1.GetDashboardRequest, context: ServerContext) async throws -> ReportingV1.Dashboard {
            throw RPCError(.unimplemented, "not part of this test")
        }
    }

    static func enqueue(_ database: ServiceDatabase, _ ids: [String]) async throws {
        try await database.write { db in
            for id in ids {
                try Outbox.enqueue(db, .init(eventType: .caseOpened, aggregateType: "case", aggregateID: id), producer: "test", at: Date())
            }
        }
    }

    @Test func deliversInOrderOnlyOnceAcknowledgedAndSetsRejectedAside() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try ServiceDatabase(path: directory.file("producer.sqlite")) { _ in }
        try await Self.enqueue(database, ["c1", "c2", "", "c3"])

        let socket = temporarySocketPath()
        let reporting = ReportingV1.ReportingService.Client(transport: RPCClient(endpoints: [.unix(path: socket)]))
        let relay = OutboxRelay(database: database, reporting: reporting, batchSize: 2, logger: Logger(label: "test"))

        // Reporting is down: nothing leaves the outbox.
        await #expect(throws: RPCError.self) { try await relay.deliverOnce(reporting) }
        #expect(try await database.read { try Outbox.backlog($0) } == 4)

        let peer = RecordingReporting()
        var configuration = ServerConfiguration(endpoint: .unix(path: socket))
        configuration.gracePeriod = .seconds(1)
        let server = RPCServer(configuration: configuration, services: [peer.serviceDefinition])
        _ = try await server.start()
        defer { Task { await server.shutdown() } }

        var delivered = 0
        for _ in 0..<20 where delivered < 4 {
            do { delivered += try await relay.deliverOnce(reporting) } catch { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(delivered == 4)
        #expect(try await database.read { try Outbox.backlog($0) } == 0)
        let ids = peer.received.withLock { $0 }
        #expect(ids.count == 3)
        #expect(ids == ids.sorted())     // outbox order = creation order = id order
        let rejected = try await database.read { db in try String.fetchAll(db, sql: "SELECT reason FROM outbox_rejected") }
        #expect(rejected == ["aggregate_id is required"])
    }

    @Test func theRunningRelayPicksUpNewEventsPromptly() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try ServiceDatabase(path: directory.file("producer.sqlite")) { _ in }
        let peer = RecordingReporting()
        let served = try await ServedServices.start([peer.serviceDefinition])
        // A poll interval far beyond the test's patience: only the wake-up can deliver in time.
        let relay = OutboxRelay(database: database, reporting: .init(transport: served.client), pollInterval: .seconds(120),
                                logger: Logger(label: "test"))
        let running = Task { try await relay.run() }
        try await Self.enqueue(database, ["a"])
        relay.wake()
        let clock = ContinuousClock()
        let start = clock.now
        while peer.received.withLock({ $0.count }) < 1 && clock.now - start < .seconds(30) {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(peer.received.withLock { $0.count } == 1)
        #expect(clock.now - start < .seconds(30))
        running.cancel()
        await served.stop()
    }
}
