import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// The after-sale summary, assembled from the same queries as the reports so the two never disagree.
enum DashboardBuilder {
    static let defaultRange: Int64 = 30 * ReportPeriod.microsPerDay
    static let topIssueCount = 5

    static func dashboard(_ db: Database, start: Int64, end: Int64, market: String, granularity: ReportPeriod,
                          now: Date) throws -> ReportingV1.Dashboard {
        let filters = ReportFilters(market: market)
        func table(_ kind: ReportingV1.ReportKind, _ dimensions: [ReportingV1.ReportDimension], limit: Int = 0) throws -> ReportingV1.Table {
            guard let definition = ReportCatalog.definition(kind) else { return ReportingV1.Table() }
            let spec = ReportSpec(definition: definition, dimensions: dimensions, start: start, end: end, filters: filters, limit: limit)
            return try ReportQuery.table(db, spec, now: now.epochMicros)
        }
        var dashboard = ReportingV1.Dashboard()
        dashboard.range = ReportingV1.TimeRange(start: CommonV1.Timestamp(epochMicros: start), end: CommonV1.Timestamp(epochMicros: end))

        let closedStatuses: [OrderV1.CaseStatus] = [.closed, .canceled, .rejected, .expired]
        var openSQL = "SELECT status, COUNT(*) FROM case_fact WHERE status NOT IN (\(closedStatuses.map { "\($0.rawValue)" }.joined(separator: ",")))"
        var arguments: [any DatabaseValueConvertible] = []
        if !market.isEmpty { openSQL += " AND market = ?"; arguments.append(market) }
        openSQL += " GROUP BY status ORDER BY status"
        dashboard.openCasesByStatus = try Row.fetchAll(db, sql: openSQL, arguments: StatementArguments(arguments)).map {
            ReportingV1.StatusCount(status: OrderV1.CaseStatus(rawValue: $0[0]), count: $0[1])
        }
        dashboard.openCasesTotal = dashboard.openCasesByStatus.reduce(0) { $0 + $1.count }

        let returns = try table(.returnRate, [.market]).rows
        dashboard.unitsSold = returns.reduce(0) { $0 + ($1.cells[1].integer ?? 0) }
        dashboard.unitsReturned = returns.reduce(0) { $0 + ($1.cells[2].integer ?? 0) }
        if dashboard.unitsSold > 0 {
            dashboard.returnRateBp = Int32(clamping: (dashboard.unitsReturned * 20_000 + dashboard.unitsSold) / (dashboard.unitsSold * 2))
        }

        dashboard.refundTotals = try table(.refundTotals, [.currency]).rows.compactMap { row in
            if case .moneyValue(let money)? = row.cells[2].value { return money }
            return nil
        }

        let resolution = try table(.resolutionTime, []).rows.first
        dashboard.resolutionTime = ReportingV1.ResolutionTimes(
            resolvedCount: resolution?.cells[0].integer ?? 0, p50Seconds: resolution?.cells[1].integer ?? 0,
            p90Seconds: resolution?.cells[2].integer ?? 0, p99Seconds: resolution?.cells[3].integer ?? 0)

        dashboard.slaBreaches = try table(.slaBreaches, [.slaStage]).rows.enumerated().map { index, row in
            ReportingV1.SlaBreachCount(stage: SlaTarget.stages[index], targetSeconds: row.cells[1].integer ?? 0,
                                       total: row.cells[2].integer ?? 0, breached: row.cells[3].integer ?? 0)
        }
        dashboard.slaBreachesTotal = dashboard.slaBreaches.reduce(0) { $0 + $1.breached }

        dashboard.topIssueCategories = try table(.topIssues, [.issueCategory], limit: topIssueCount).rows.compactMap { row in
            guard case .stringValue(let name)? = row.cells[0].value,
                  let category = ProductV1.IssueCategory(protoName: "ISSUE_CATEGORY_" + name) else { return nil }
            return ReportingV1.IssueCount(category: category, count: row.cells[1].integer ?? 0,
                                          shareBp: Int32(clamping: row.cells[2].integer ?? 0))
        }

        dashboard.feedbackTrend = try table(.feedbackTrend, [granularity.dimension]).rows.map { row in
            var point = ReportingV1.FeedbackTrendPoint(count: row.cells[1].integer ?? 0)
            if case .timestampValue(let start)? = row.cells[0].value { point.periodStart = start }
            if case .numberValue(let rating)? = row.cells[2].value { point.averageRating = rating }
            if case .numberValue(let sentiment)? = row.cells[3].value { point.averageSentiment = sentiment }
            return point
        }
        dashboard.generatedAt = CommonV1.Timestamp(now)
        dashboard.dataAsOf = try ReportingStore.dataAsOf(db).map { CommonV1.Timestamp(epochMicros: $0) }
        return dashboard
    }
}
