import Foundation
import GRDB
import RPCShared
import ServiceRuntime
import Testing
@testable import ReportingService

/// Ingestion on a real SQLite file: de-duplication, stale versions, malformed envelopes, restart.
@Suite struct ReportingStoreTests {
    static let kinds: [ReportingV1.ReportKind] = [.returnRate, .refundTotals, .resolutionTime, .slaBreaches, .feedbackTrend, .topIssues, .caseVolume]

    func allTables(_ fixture: ReportingFixture) async throws -> [ReportingV1.Table] {
        var tables: [ReportingV1.Table] = []
        for kind in Self.kinds { tables.append(try await fixture.table(kind)) }
        return tables
    }

    @Test func sameBatchTwiceIsCountedAsDuplicatesAndChangesNothing() async throws {
        let fixture = try ReportingFixture()
        defer { fixture.directory.remove() }
        let first = try await fixture.ingest(March.all)
        #expect(first.accepted == Int32(March.all.count) && first.duplicates == 0 && first.rejected.isEmpty)
        let before = try await allTables(fixture)
        let second = try await fixture.ingest(March.all)
        #expect(second.accepted == 0)
        #expect(second.duplicates == Int32(March.all.count))
        #expect(try await allTables(fixture) == before)
        // A repeat inside one batch is a duplicate too.
        let event = Events.feedback("f9", rating: 3, sentiment: 0, category: .other, product: "p-mug", order: "o2", createdAt: "2024-03-20T00:00:00Z")
        let within = try await fixture.ingest([event, event])
        #expect(within.accepted == 1 && within.duplicates == 1)
        let count = try await fixture.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingested_event") }
        #expect(count == March.all.count + 1)
    }

    @Test func olderVersionsArriveLateAndAreIgnoredButAcknowledged() async throws {
        let fixture = try ReportingFixture()
        defer { fixture.directory.remove() }
        var script = CaseScript("c1", order: "o1", kind: .refundOnly, lines: [
            .init(id: "l", orderLine: "l1", product: "p", category: "cat", reason: .defective, quantity: 2)], openedAt: "2024-03-05T00:00:00Z")
        script.approve(at: "2024-03-06T00:00:00Z")
        script.resolve(at: "2024-03-07T00:00:00Z")
        let (opened, approved, resolved) = (script.events[0], script.events[1], script.events[2])
        // Newest first, then the older two: they are acknowledged but must not roll the case back.
        let response = try await fixture.ingest([resolved, opened, approved])
        #expect(response.accepted == 3 && response.duplicates == 0 && response.rejected.isEmpty)
        #expect(try await fixture.table(.caseVolume).text == [["RESOLVED", "1"]])
        let stale = try await fixture.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingested_event WHERE stale") }
        #expect(stale == 2)
        // The late timeline entries still count as history: the review took 24 h, the resolution 24 h.
        let sla = try await fixture.table(.slaBreaches)
        #expect(sla.text.map { Array($0[2...3]) } == [["1", "0"], ["0", "0"], ["1", "0"], ["0", "0"]])
        #expect(try await fixture.table(.resolutionTime).text == [["REFUND_ONLY", "1", "172800", "172800", "172800"]])
        // A refund that succeeded does not go back to pending when its creation event arrives last.
        let succeeded = Events.refund(.refundSucceeded, "r1", caseID: "c1", orderID: "o1", currency: "EUR", minor: 500, status: .succeeded,
                                      createdAt: "2024-03-07T00:00:00Z", updatedAt: "2024-03-07T01:00:00Z", version: 2)
        let created = Events.refund(.refundCreated, "r1", caseID: "c1", orderID: "o1", currency: "EUR", minor: 500, status: .pending,
                                    createdAt: "2024-03-07T00:00:00Z", updatedAt: "2024-03-07T00:00:00Z", version: 1)
        try await fixture.ingest([succeeded, created])
        #expect(try await fixture.table(.refundTotals).text == [["EUR", "2024-03-07T00:00:00Z", "1", "5.00 EUR"]])
    }

    @Test func malformedEnvelopesAreRejectedWithReasonsWhileTheRestIsAccepted() async throws {
        let fixture = try ReportingFixture()
        defer { fixture.directory.remove() }
        let good = March.orders[0]
        var wrongPayload = March.orders[1]
        wrongPayload.eventType = .caseOpened
        var noID = March.feedback[0]
        noID.eventID = ""
        var mismatchedID = March.feedback[1]
        mismatchedID.aggregateID = "someone-else"
        var badRating = March.feedback[2]
        if case .feedback(var feedback)? = badRating.payload { feedback.rating = 9; badRating.payload = .feedback(feedback) }
        let response = try await fixture.ingest([wrongPayload, good, noID, mismatchedID, badRating])
        #expect(response.accepted == 1)
        #expect(response.rejected.map(\.eventID) == [wrongPayload.eventID, "", mismatchedID.eventID, badRating.eventID])
        #expect(response.rejected[0].reason.contains("payload does not match event_type"))
        #expect(response.rejected[1].reason.contains("event_id is required"))
        #expect(response.rejected[2].reason.contains("aggregate_id 'someone-else' does not match the payload's id 'f2'"))
        #expect(response.rejected[3].reason.contains("feedback.rating must be between 1 and 5, got 9"))
        #expect(try await fixture.table(.returnRate).text == [["p-shirt", "4", "0", "0"], ["p-shoe", "10", "0", "0"]])
        // Nothing of a rejected event was stored, so a corrected one is accepted later.
        let again = try await fixture.ingest([March.orders[1]])
        #expect(again.accepted == 1)
    }

    @Test func reportsAreIdenticalAfterReopeningTheDatabase() async throws {
        let fixture = try ReportingFixture()
        defer { fixture.directory.remove() }
        try await fixture.ingest(March.all)
        let before = try await allTables(fixture)
        try fixture.database.pool.close()
        let reopened = ReportingFixture(directory: fixture.directory,
                                        database: try ReportingServiceApp.openDatabase(path: fixture.path))
        #expect(try await allTables(reopened) == before)
        // The de-duplication record survived too.
        #expect(try await reopened.ingest(March.all).duplicates == Int32(March.all.count))
    }
}
