import Foundation
import Logging
import RPCShared
import ServiceRuntime

/// `aftersale.reporting.v1.ReportingService`: event ingestion, reports and the dashboard.
///
/// IngestEvents is the one mutating RPC that does not take an `idempotency-key`: it is idempotent by
/// `EventEnvelope.event_id` (every event is de-duplicated), so a relay retrying a batch is always safe.
public struct ReportingHandler: ReportingV1.ReportingService.Handler {
    let database: ServiceDatabase
    let clock: ServiceClock

    public init(database: ServiceDatabase, clock: ServiceClock = .system) {
        self.database = database
        self.clock = clock
    }

    public func ingestEvents(_ request: ReportingV1.IngestEventsRequest, context: ServerContext) async throws -> ReportingV1.IngestEventsResponse {
        var check = FieldValidator()
        check.count(request.events, "events", max: EventEnvelopeValidator.maxBatch)
        try check.validate()
        guard !request.events.isEmpty else { return ReportingV1.IngestEventsResponse() }
        let now = clock.now()
        let events = request.events
        let response = try await database.write { db in try ReportingStore.ingest(db, events, now: now) }
        if !response.rejected.isEmpty {
            context.logger.warning("rejected malformed events", metadata: [
                "count": "\(response.rejected.count)", "first": "\(response.rejected[0].eventID): \(response.rejected[0].reason)"])
        }
        return response
    }

    public func getReport(_ request: ReportingV1.GetReportRequest, context: ServerContext) async throws -> ReportingV1.Report {
        let spec = try ReportSpec(request)
        let now = clock.now()
        let (table, dataAsOf) = try await database.read { db in
            (try ReportQuery.table(db, spec, now: now.epochMicros), try ReportingStore.dataAsOf(db))
        }
        return ReportRenderer.report(spec, table: table, generatedAt: now, dataAsOf: dataAsOf)
    }

    public func getDashboard(_ request: ReportingV1.GetDashboardRequest, context: ServerContext) async throws -> ReportingV1.Dashboard {
        var check = FieldValidator()
        let (start, end) = ReportSpec.checkRange(request.range, "range", required: false, &check)
        ReportSpec.checkMarket(request.market, &check)
        if request.trendGranularity.protoName == nil {
            check.fail("trend_granularity", "has unknown value \(request.trendGranularity.rawValue)")
        }
        try check.validate()
        let now = clock.now()
        let range = request.range == nil ? (now.epochMicros - DashboardBuilder.defaultRange, now.epochMicros) : (start, end)
        let market = request.market
        let granularity = ReportPeriod(request.trendGranularity)
        return try await database.read { db in
            try DashboardBuilder.dashboard(db, start: range.0, end: range.1, market: market, granularity: granularity, now: now)
        }
    }
}
