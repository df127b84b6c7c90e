import Foundation
import RPCShared
import ServiceRuntime
import Testing
@testable import ReportingService

/// Every report kind over the hand-built March fixture, with exact expected figures.
@Suite struct ReportQueryTests {
    let fixture: ReportingFixture

    init() async throws {
        fixture = try ReportingFixture()
        let response = try await fixture.ingest(March.all)
        #expect(response.rejected.isEmpty, "\(response.rejected)")
        #expect(response.accepted == Int32(March.all.count))
    }

    @Test func returnRateByProductCategoryAndReason() async throws {
        let byProduct = try await fixture.table(.returnRate)
        #expect(byProduct.columns.map(\.name) == ["product_id", "units_sold", "units_returned", "return_rate_bp"])
        // shoe: 2 accepted (c1) + 3 requested, in review (c3); the repair (c5) and the rejected case (c4) don't count.
        #expect(byProduct.text == [["p-shoe", "20", "5", "2500"], ["p-mug", "6", "1", "1667"], ["p-shirt", "4", "0", "0"]])

        let byCategory = try await fixture.table(.returnRate, [.category])
        #expect(byCategory.text == [["cat-shoes", "20", "5", "2500"], ["cat-home", "6", "1", "1667"], ["cat-apparel", "4", "0", "0"]])

        // By reason, every unit sold is the denominator: the reasons add up to the overall 6 / 30 = 2000 bp.
        let byReason = try await fixture.table(.returnRate, [.reason])
        #expect(byReason.text == [["SIZE_FIT", "30", "5", "1667"], ["DAMAGED_IN_TRANSIT", "30", "1", "333"]])

        let byMarketAndReason = try await fixture.table(.returnRate, [.market, .reason])
        #expect(byMarketAndReason.text == [["DE", "SIZE_FIT", "16", "3", "1875"], ["CN", "SIZE_FIT", "14", "2", "1429"],
                                           ["DE", "DAMAGED_IN_TRANSIT", "16", "1", "625"]])
    }

    @Test func returnRateByWeekPutsSundayInTheWeekStartingMonday() async throws {
        let byWeek = try await fixture.table(.returnRate, [.week])
        #expect(byWeek.columns.first?.kind == .timestamp)
        #expect(byWeek.text == [["2024-03-04T00:00:00Z", "30", "2", "667"],
                                ["2024-03-11T00:00:00Z", "0", "1", ""],
                                ["2024-03-18T00:00:00Z", "0", "3", ""]])
    }

    @Test func returnRateFilters() async throws {
        #expect(try await fixture.table(.returnRate, market: "DE").text == [["p-shoe", "10", "3", "3000"], ["p-mug", "6", "1", "1667"]])
        #expect(try await fixture.table(.returnRate, product: "p-mug").text == [["p-mug", "6", "1", "1667"]])
        #expect(try await fixture.table(.returnRate, [.category], category: "cat-shoes").text == [["cat-shoes", "20", "5", "2500"]])
        #expect(try await fixture.table(.returnRate, limit: 1).text == [["p-shoe", "20", "5", "2500"]])
        // February holds only o3.
        #expect(try await fixture.table(.returnRate, range: range("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z")).text
                == [["p-shoe", "100", "0", "0"]])
    }

    @Test func refundTotalsPerCurrencyAndDayNeverAcrossCurrencies() async throws {
        let table = try await fixture.table(.refundTotals)
        #expect(table.columns.map(\.name) == ["currency", "day", "refund_count", "amount"])
        #expect(table.text == [["CNY", "2024-03-12T00:00:00Z", "1", "199.00 CNY"],
                               ["EUR", "2024-03-15T00:00:00Z", "1", "10.00 EUR"],
                               ["EUR", "2024-03-16T00:00:00Z", "1", "25.50 EUR"]])
        let byCurrency = try await fixture.table(.refundTotals, [.currency])
        #expect(byCurrency.rows.map { $0.cells[2] } == [.init(value: .moneyValue(.init(currency: "CNY", minorUnits: 19_900))),
                                                        .init(value: .moneyValue(.init(currency: "EUR", minorUnits: 3_550)))])
        #expect(try await fixture.table(.refundTotals, [.currency], currency: "EUR").text == [["EUR", "2", "35.50 EUR"]])
    }

    @Test func resolutionTimePercentilesByNearestRank() async throws {
        let byKind = try await fixture.table(.resolutionTime)
        #expect(byKind.text == [["RETURN_REFUND", "1", "604800", "604800", "604800"],
                                ["REFUND_ONLY", "1", "345601", "345601", "345601"],
                                ["REPAIR_WARRANTY", "1", "302400", "302400", "302400"]])
        let overall = try await fixture.table(.resolutionTime, [.market])
        #expect(overall.text == [["CN", "2", "302400", "604800", "604800"], ["DE", "1", "345601", "345601", "345601"]])
    }

    @Test(arguments: [
        // (hours to resolve, expected p50/p90/p99 in hours): rank = ceil(p × n / 100).
        ([5, 1, 4, 2, 3, 10, 9, 8, 7, 6], [5, 9, 10]),
        ([4, 1, 3, 2], [2, 4, 4]),
        ([7], [7, 7, 7]),
        (Array(1...100), [50, 90, 99]),
        (Array(1...101), [51, 91, 100]),
    ])
    func nearestRankPercentiles(_ hours: [Int], _ expected: [Int]) async throws {
        let fixture = try ReportingFixture()
        defer { fixture.directory.remove() }
        var events: [ReportingV1.EventEnvelope] = []
        for (index, hour) in hours.enumerated() {
            var script = CaseScript("case\(index)", order: "o1", kind: .refundOnly, lines: [], openedAt: "2024-03-01T00:00:00Z")
            let resolved = at("2024-03-01T00:00:00Z").addingTimeInterval(TimeInterval(hour * 3600))
            script.approve(at: "2024-03-01T00:00:00Z")
            script.resolve(at: ISO8601DateFormatter().string(from: resolved))
            events += script.events
        }
        try await fixture.ingest(events)
        let table = try await fixture.table(.resolutionTime)
        #expect(table.text == [["REFUND_ONLY", "\(hours.count)"] + expected.map { String($0 * 3600) }])
    }

    @Test func slaBreachesPerStageWithEdgesAndOpenItems() async throws {
        let table = try await fixture.table(.slaBreaches)
        #expect(table.columns.map(\.name) == ["sla_stage", "target_seconds", "total", "breached", "breach_rate_bp"])
        // review: c3 open 5 days; c2 took exactly 48 h (not breached). inspection: c1 72 h + 1 s.
        // resolution: c2 48 h + 1 s from approval (refund-only). refund: r2 24 h + 1 s, r4 open since 03-12.
        #expect(table.text == [["REVIEW", "172800", "5", "1", "2000"],
                               ["INSPECTION", "259200", "2", "1", "5000"],
                               ["RESOLUTION", "172800", "3", "1", "3333"],
                               ["REFUND", "86400", "4", "2", "5000"]])
        // Seen from earlier, the open items (c3's review, r4) have not yet waited past their targets.
        let early = try await fixture.table(.slaBreaches, now: at("2024-03-12T02:00:00Z"))
        #expect(early.text.map { $0[3] } == ["0", "1", "1", "1"])
        let byKind = try await fixture.table(.slaBreaches, [.slaStage, .caseKind], market: "DE")
        #expect(byKind.text == [["REVIEW", "REFUND_ONLY", "172800", "1", "0", "0"], ["REVIEW", "EXCHANGE", "172800", "1", "1", "10000"],
                                ["RESOLUTION", "REFUND_ONLY", "172800", "1", "1", "10000"], ["REFUND", "REFUND_ONLY", "86400", "2", "1", "5000"]])
    }

    @Test func feedbackTrendByDayWeekAndMonth() async throws {
        let byWeek = try await fixture.table(.feedbackTrend, [.week])
        #expect(byWeek.rows.count == 2)
        #expect(byWeek.text.map { Array($0.prefix(3)) } == [["2024-03-04T00:00:00Z", "2", "3"], ["2024-03-11T00:00:00Z", "2", "2.5"]])
        guard case .numberValue(let sentiment)? = byWeek.rows[1].cells[3].value else { Issue.record("no sentiment"); return }
        #expect(abs(sentiment - -0.1) < 1e-9)
        let byDay = try await fixture.table(.feedbackTrend)
        #expect(byDay.text.map { Array($0.prefix(3)) } == [["2024-03-04T00:00:00Z", "1", "2"], ["2024-03-10T00:00:00Z", "1", "4"],
                                                           ["2024-03-11T00:00:00Z", "2", "2.5"]])
        let byMonth = try await fixture.table(.feedbackTrend, [.month])
        #expect(byMonth.text.map { Array($0.prefix(3)) } == [["2024-03-01T00:00:00Z", "4", "2.75"]])
        // Category filter through the products' categories; market through the order.
        #expect(try await fixture.table(.feedbackTrend, [.month], category: "cat-shoes").text.map { $0[1] } == ["2"])
        #expect(try await fixture.table(.feedbackTrend, [.month], market: "CN").text.map { $0[1] } == ["2"])
    }

    @Test func topIssuesWithSharesAddingUpTo10000() async throws {
        let table = try await fixture.table(.topIssues)
        #expect(table.text == [["SIZE_FIT", "3", "4286"], ["DEFECT", "2", "2857"],
                               ["DAMAGED_IN_TRANSIT", "1", "1429"], ["NOT_AS_DESCRIBED", "1", "1428"]])
        let top2 = try await fixture.table(.topIssues, limit: 2)
        #expect(top2.text == [["SIZE_FIT", "3", "4286"], ["DEFECT", "2", "2857"]])
    }

    @Test func caseVolumeByStatusAndKind() async throws {
        #expect(try await fixture.table(.caseVolume).text == [["REQUESTED", "1"], ["REJECTED", "1"], ["RESOLVED", "3"]])
        #expect(try await fixture.table(.caseVolume, [.caseKind], product: "p-shoe").text
                == [["RETURN_REFUND", "1"], ["EXCHANGE", "1"], ["REPAIR_WARRANTY", "1"]])
    }

    @Test func emptyRangeGivesEmptyTables() async throws {
        let empty = range("2023-01-01T00:00:00Z", "2023-02-01T00:00:00Z")
        for kind in [ReportingV1.ReportKind.returnRate, .refundTotals, .resolutionTime, .feedbackTrend, .topIssues, .caseVolume] {
            #expect(try await fixture.table(kind, range: empty).rows.isEmpty, "\(kind)")
        }
        #expect(try await fixture.table(.slaBreaches, range: empty).text.map { $0[2] } == ["0", "0", "0", "0"])
    }
}
