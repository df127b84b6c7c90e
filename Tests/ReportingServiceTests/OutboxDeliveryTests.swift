import AfterSaleTestSupport
import Foundation
import GRDB
import Logging
import RPCShared
import ServiceRuntime
import Testing
@testable import ReportingService

/// The producers' side end to end: events in another service's outbox, ServiceRuntime's OutboxRelay delivering
/// them over a socket to the real reporting service, which is down at first.
@Suite struct OutboxDeliveryTests {
    @Test func eventsWaitWhileReportingIsDownThenArriveExactlyOnce() async throws {
        let directory = try TemporaryDirectory("reporting-outbox")
        defer { directory.remove() }
        // The producer: any service's database, with the March events in its outbox.
        let producer = try ServiceDatabase(path: directory.file("order.sqlite")) { _ in }
        try await producer.write { db in
            for envelope in March.all { try Outbox.enqueue(db, envelope, producer: "aftersale.order.v1.OrderService", at: March.now) }
        }
        let socket = temporarySocketPath()
        var clientConfiguration = ClientConfiguration()
        clientConfiguration.backoff.initial = .milliseconds(10)
        let reportingClient = RPCClient(endpoints: [.unix(path: socket)], configuration: clientConfiguration)
        let relay = OutboxRelay(database: producer, reporting: .init(transport: reportingClient), batchSize: 50,
                                logger: Logger(label: "test.relay"))
        let delivering = Task { try await relay.run() }
        defer { delivering.cancel() }

        // Reporting is down: the relay retries and nothing leaves the outbox.
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await producer.read { db in try Outbox.backlog(db) } == March.all.count)

        // Reporting comes up on the address the relay knows.
        let reporting = try ReportingFixture()
        defer { reporting.directory.remove() }
        var configuration = ServerConfiguration(endpoint: .unix(path: socket))
        configuration.gracePeriod = .seconds(2)
        let server = RPCServer(configuration: configuration,
                               services: [ReportingServiceApp.build(database: reporting.database, clock: .fixed(March.now)).serviceDefinition])
        _ = try await server.start()
        defer { Task { await server.shutdown(gracePeriod: .seconds(1)) } }
        relay.wake()

        let deadline = ContinuousClock.now + .seconds(20)
        while try await producer.read({ db in try Outbox.backlog(db) }) > 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await producer.read { db in try Outbox.backlog(db) } == 0)
        let rejected = try await producer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox_rejected") }
        #expect(rejected == 0)
        let ingested = try await reporting.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingested_event") }
        #expect(ingested == March.all.count)
        #expect(try await reporting.table(.returnRate).text == [["p-shoe", "20", "5", "2500"], ["p-mug", "6", "1", "1667"], ["p-shirt", "4", "0", "0"]])

        // At least once: the same events delivered again (a relay that crashed before deleting them) change nothing.
        try await producer.write { db in
            for envelope in March.all.prefix(10) { try Outbox.enqueue(db, envelope, producer: "x", at: March.now) }
        }
        relay.wake()
        let again = ContinuousClock.now + .seconds(20)
        while try await producer.read({ db in try Outbox.backlog(db) }) > 0 && ContinuousClock.now < again {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await producer.read { db in try Outbox.backlog(db) } == 0)
        #expect(try await reporting.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingested_event") } == March.all.count)
        #expect(try await reporting.table(.refundTotals, [.currency]).text == [["CNY", "1", "199.00 CNY"], ["EUR", "2", "35.50 EUR"]])

        // A malformed event is moved aside by the relay with the reporting service's reason.
        var malformed = Events.feedback("f-bad", rating: 7, sentiment: 0, category: .other, product: "p", order: "o1", createdAt: "2024-03-20T00:00:00Z")
        malformed.eventID = "evt-malformed"
        let rejectable = malformed
        _ = try await producer.write { db in try Outbox.enqueue(db, rejectable, producer: "x", at: March.now) }
        relay.wake()
        let third = ContinuousClock.now + .seconds(20)
        while try await producer.read({ db in try Outbox.backlog(db) }) > 0 && ContinuousClock.now < third {
            try await Task.sleep(for: .milliseconds(50))
        }
        let reason = try await producer.read { db in try String.fetchOne(db, sql: "SELECT reason FROM outbox_rejected WHERE event_id = 'evt-malformed'") }
        #expect(reason?.contains("feedback.rating must be between 1 and 5") == true)
        await reportingClient.close()
    }
}
