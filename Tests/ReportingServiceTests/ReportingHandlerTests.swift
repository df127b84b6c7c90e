import AfterSaleTestSupport
import Foundation
import GRDB
import RPCShared
import ServiceRuntime
import Testing
@testable import ReportingService

/// The service over a real Unix socket.
@Suite struct ReportingHandlerTests {
    struct Served {
        let fixture: ReportingFixture
        let served: ServedServices
        var client: ReportingV1.ReportingService.Client { .init(transport: served.client) }

        static func start(now: Date = March.now) async throws -> Served {
            let fixture = try ReportingFixture()
            let handler = ReportingServiceApp.build(database: fixture.database, clock: .fixed(now))
            return Served(fixture: fixture, served: try await ServedServices.start([handler.serviceDefinition]))
        }

        func stop() async {
            await served.stop()
            fixture.directory.remove()
        }

        func eventCount() async throws -> Int {
            try await fixture.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingested_event") ?? 0 }
        }
    }

    static func expectInvalid(_ field: String, _ message: String, _ call: () async throws -> Void) async {
        do {
            try await call()
            Issue.record("expected INVALID_ARGUMENT for \(field)")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument, "\(error)")
            #expect(error.errorDetails?.fieldViolations.contains { $0.field == field } == true, "\(error.message)")
            #expect(error.message.contains(message), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func ingestNeedsNoIdempotencyKeyAndDeduplicatesRetries() async throws {
        let service = try await Served.start()
        defer { Task { await service.stop() } }
        let first = try await service.client.ingestEvents(.init(events: March.all))
        #expect(first.accepted == Int32(March.all.count))
        let retry = try await service.client.ingestEvents(.init(events: March.all), options: .mutating())
        #expect(retry.accepted == 0 && retry.duplicates == Int32(March.all.count))
        let empty = try await service.client.ingestEvents(.init())
        #expect(empty == .init())
    }

    @Test func getReportReturnsTheTableAndEachFormat() async throws {
        let service = try await Served.start()
        defer { Task { await service.stop() } }
        _ = try await service.client.ingestEvents(.init(events: March.all))
        let json = try await service.client.getReport(.init(kind: .returnRate, range: March.month))
        #expect(json.title == "Return rate by product")
        #expect(json.groupBy == [.product] && json.format == .json && json.contentType == "application/json")
        #expect(json.table?.text.first == ["p-shoe", "20", "5", "2500"])
        #expect(json.generatedAt == CommonV1.Timestamp(March.now))
        #expect(json.dataAsOf == ts("2024-03-20T00:00:00Z"))
        #expect(json.notes.contains { $0.contains("half up") })
        let object = try JSONSerialization.jsonObject(with: Data(json.content)) as? [String: Any]
        #expect((object?["rows"] as? [[String: Any]])?.first?["return_rate_bp"] as? Int == 2500)

        let csv = try await service.client.getReport(.init(kind: .refundTotals, range: March.month, format: .csv))
        #expect(csv.contentType == "text/csv; charset=utf-8")
        #expect(String(decoding: csv.content, as: UTF8.self) == """
            currency,day,refund_count,amount\r
            CNY,2024-03-12T00:00:00Z,1,199.00 CNY\r
            EUR,2024-03-15T00:00:00Z,1,10.00 EUR\r
            EUR,2024-03-16T00:00:00Z,1,25.50 EUR\r

            """)

        let svg = try await service.client.getReport(.init(kind: .feedbackTrend, range: March.month, groupBy: [.week], format: .svg))
        #expect(svg.contentType == "image/svg+xml")
        let (summary, ok, _) = SVGSummary.parse(String(decoding: svg.content, as: UTF8.self))
        #expect(ok && summary.points.map(\.category) == ["2024-03-04", "2024-03-11"])
        #expect(summary.texts.contains("Feedback trend by week"))
    }

    @Test func dashboardSummarisesTheRange() async throws {
        let service = try await Served.start()
        defer { Task { await service.stop() } }
        _ = try await service.client.ingestEvents(.init(events: March.all))
        let dashboard = try await service.client.getDashboard(.init(range: March.month, trendGranularity: .week))
        #expect(dashboard.openCasesByStatus == [.init(status: .requested, count: 1), .init(status: .resolved, count: 3)])
        #expect(dashboard.openCasesTotal == 4)
        #expect(dashboard.unitsSold == 30 && dashboard.unitsReturned == 6 && dashboard.returnRateBp == 2000)
        #expect(dashboard.refundTotals == [.init(currency: "CNY", minorUnits: 19_900), .init(currency: "EUR", minorUnits: 3_550)])
        #expect(dashboard.resolutionTime == .init(resolvedCount: 3, p50Seconds: 345_601, p90Seconds: 604_800, p99Seconds: 604_800))
        #expect(dashboard.slaBreaches.map(\.stage) == [.review, .inspection, .resolution, .refund])
        #expect(dashboard.slaBreaches.map(\.breached) == [1, 1, 1, 2] && dashboard.slaBreaches.map(\.total) == [5, 2, 3, 4])
        #expect(dashboard.slaBreaches.map(\.targetSeconds) == [172_800, 259_200, 172_800, 86_400])
        #expect(dashboard.slaBreachesTotal == 5)
        #expect(dashboard.topIssueCategories == [.init(category: .sizeFit, count: 3, shareBp: 4286), .init(category: .defect, count: 2, shareBp: 2857),
                                                 .init(category: .damagedInTransit, count: 1, shareBp: 1429),
                                                 .init(category: .notAsDescribed, count: 1, shareBp: 1428)])
        #expect(dashboard.feedbackTrend.map(\.count) == [2, 2])
        #expect(dashboard.feedbackTrend.map(\.periodStart) == [ts("2024-03-04T00:00:00Z"), ts("2024-03-11T00:00:00Z")])
        #expect(dashboard.feedbackTrend.map(\.averageRating) == [3, 2.5])

        let german = try await service.client.getDashboard(.init(range: March.month, market: "DE"))
        #expect(german.openCasesTotal == 2 && german.unitsSold == 16 && german.unitsReturned == 4 && german.returnRateBp == 2500)
        #expect(german.refundTotals == [.init(currency: "EUR", minorUnits: 3_550)])
        // No range: the last 30 days before "now" (2024-03-25), which holds everything but the February order.
        let recent = try await service.client.getDashboard(.init())
        #expect(recent.range == .init(start: ts("2024-02-24T00:00:00Z"), end: ts("2024-03-25T00:00:00Z")))
        #expect(recent.unitsSold == 30)
    }

    @Test func badIngestRequestsAreRejectedAndStoreNothing() async throws {
        let service = try await Served.start()
        defer { Task { await service.stop() } }
        let tooMany = (0..<501).map { index in
            Events.feedback("f\(index)", rating: 3, sentiment: 0, category: .other, product: "p", order: "o", createdAt: "2024-03-01T00:00:00Z")
        }
        await Self.expectInvalid("events", "has 501 elements; at most 500 allowed") {
            _ = try await service.client.ingestEvents(.init(events: tooMany))
        }
        #expect(try await service.eventCount() == 0)
        // 500 is fine.
        #expect(try await service.client.ingestEvents(.init(events: Array(tooMany.prefix(500)))).accepted == 500)
        // Every event of a batch malformed: all rejected, nothing stored.
        var broken = March.orders[0]
        broken.payload = nil
        let response = try await service.client.ingestEvents(.init(events: [broken]))
        #expect(response.accepted == 0 && response.rejected.map(\.eventID) == [broken.eventID])
        #expect(try await service.eventCount() == 500)
    }

    @Test(arguments: [
        (ReportingV1.GetReportRequest(range: March.month), "kind", "is required"),
        (.init(kind: .unrecognized(77), range: March.month), "kind", "unknown value 77"),
        (.init(kind: .returnRate), "range", "is required"),
        (.init(kind: .returnRate, range: .init(start: ts("2024-03-01T00:00:00Z"))), "range.end", "is required"),
        (.init(kind: .returnRate, range: range("2024-04-01T00:00:00Z", "2024-03-01T00:00:00Z")), "range", "start must be before end"),
        (.init(kind: .returnRate, range: .init(start: .init(seconds: -5), end: ts("2024-03-01T00:00:00Z"))), "range.start", "out of range"),
        (.init(kind: .returnRate, range: March.month, groupBy: [.slaStage]), "group_by[0]", "REPORT_DIMENSION_SLA_STAGE is not available for REPORT_KIND_RETURN_RATE"),
        (.init(kind: .returnRate, range: March.month, groupBy: [.product, .product]), "group_by[1]", "given twice"),
        (.init(kind: .returnRate, range: March.month, groupBy: [.day, .week]), "group_by", "at most one of"),
        (.init(kind: .returnRate, range: March.month, groupBy: [.product, .market, .currency, .day]), "group_by", "at most 3 allowed"),
        (.init(kind: .refundTotals, range: March.month, groupBy: [.day]), "group_by", "must include REPORT_DIMENSION_CURRENCY"),
        (.init(kind: .returnRate, range: March.month, format: .unrecognized(9)), "format", "unknown value 9"),
        (.init(kind: .returnRate, range: March.month, market: "germany"), "market", "ISO 3166-1 alpha-2"),
        (.init(kind: .returnRate, range: March.month, currency: "euro"), "currency", "ISO 4217"),
        (.init(kind: .topIssues, range: March.month, currency: "EUR"), "currency", "does not apply to REPORT_KIND_TOP_ISSUES"),
        (.init(kind: .refundTotals, range: March.month, productID: "p-shoe"), "product_id", "does not apply"),
        (.init(kind: .returnRate, range: March.month, productID: String(repeating: "p", count: 200)), "product_id", "longer than 128"),
        (.init(kind: .returnRate, range: March.month, categoryID: "a b"), "category_id", "printable ASCII"),
        (.init(kind: .returnRate, range: March.month, limit: -1), "limit", "between 0 and 10000"),
    ])
    func badReportRequestsNameTheField(_ request: ReportingV1.GetReportRequest, _ field: String, _ message: String) async throws {
        let service = try await Served.start()
        defer { Task { await service.stop() } }
        await Self.expectInvalid(field, message) { _ = try await service.client.getReport(request) }
    }

    @Test(arguments: [
        (ReportingV1.GetDashboardRequest(range: .init(end: ts("2024-03-01T00:00:00Z"))), "range.start", "is required"),
        (.init(range: range("2024-03-02T00:00:00Z", "2024-03-01T00:00:00Z")), "range", "start must be before end"),
        (.init(market: "D"), "market", "ISO 3166-1"),
        (.init(trendGranularity: .unrecognized(5)), "trend_granularity", "unknown value 5"),
    ])
    func badDashboardRequestsNameTheField(_ request: ReportingV1.GetDashboardRequest, _ field: String, _ message: String) async throws {
        let service = try await Served.start()
        defer { Task { await service.stop() } }
        await Self.expectInvalid(field, message) { _ = try await service.client.getDashboard(request) }
    }

    @Test func unknownProductsInFiltersGiveEmptyReportsNotErrors() async throws {
        let service = try await Served.start()
        defer { Task { await service.stop() } }
        _ = try await service.client.ingestEvents(.init(events: March.all))
        let report = try await service.client.getReport(.init(kind: .returnRate, range: March.month, productID: "p-never-sold"))
        #expect(report.table?.rows.isEmpty == true)
        #expect(report.notes.contains("filtered by product_id = p-never-sold"))
    }
}
